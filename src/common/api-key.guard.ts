import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { API_KEY_HEADER, API_PREFIX } from './api.constants';

/** The request as Express hands it over: `route` is the matched route, set before guards run. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * When `API_KEY` is set, every `/api` request must carry it in `x-api-key`; otherwise 401.
 *
 * Meant to be registered once, globally (`{ provide: APP_GUARD, useClass: ApiKeyGuard }`),
 * so a new controller under `/api` is protected without anyone remembering to. That is why
 * it lets through what is not an `/api` HTTP route: `/health` and `/metrics` (probes and
 * scrapers carry no key), and Socket.io, which authenticates its own handshake.
 *
 * It decides on the matched route's declared path (`req.route.path`), never on the URL the
 * client sent: Express matches `/API/…` or `/api/./…` to an `/api` route too, and a guard
 * reading the raw URL could be talked into skipping. A request whose route is unknown is
 * treated as an `/api` one, so the guard fails closed.
 *
 * Both keys are hashed with SHA-256 before `timingSafeEqual`, which needs equal lengths:
 * comparing digests leaks neither the key's content nor its length through timing.
 * An empty `API_KEY` counts as unset.
 *
 * @example
 * providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }]
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expectedDigest: Buffer | undefined;

  constructor(config: ConfigService) {
    const apiKey = config.get<string>('API_KEY');
    this.expectedDigest = apiKey ? sha256(apiKey) : undefined;
  }

  /**
   * Lets the request through or throws 401.
   *
   * @throws UnauthorizedException when the key is required and missing or wrong.
   */
  canActivate(context: ExecutionContext): boolean {
    if (!this.expectedDigest || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<RoutedRequest>();
    if (!isApiRoute(request)) return true;

    const provided = request.headers[API_KEY_HEADER];
    // A repeated header arrives as one comma-joined string, which never matches: refused.
    if (typeof provided !== 'string' || !timingSafeEqual(sha256(provided), this.expectedDigest)) {
      throw new UnauthorizedException(`Missing or invalid ${API_KEY_HEADER} header`);
    }
    return true;
  }
}

function isApiRoute(request: RoutedRequest): boolean {
  const routePath = request.route?.path;
  if (typeof routePath !== 'string') return true;
  return routePath === `/${API_PREFIX}` || routePath.startsWith(`/${API_PREFIX}/`);
}
