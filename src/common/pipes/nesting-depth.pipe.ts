import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from '@app/approval-events';

/**
 * Refuses a body or query nested deeper than the API ever needs, before `ValidationPipe`:
 * its prototype-key stripping and class-transformer recurse, so a 5 000-level payload
 * (well within the body limit) would overflow the stack and answer 500.
 */
@Injectable()
export class NestingDepthPipe implements PipeTransform {
  transform(value: unknown): unknown {
    // +1: the body itself is one level above the free-form objects it carries.
    if (exceedsNestingDepth(value, MAX_NESTING_DEPTH + 1)) {
      throw new BadRequestException(`The request nests more than ${MAX_NESTING_DEPTH} levels`);
    }
    return value;
  }
}
