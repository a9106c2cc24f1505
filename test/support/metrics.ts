import request from 'supertest';
import { sample } from '../../libs/approval-events/test/metrics';

export { registryMetric, sample } from '../../libs/approval-events/test/metrics';

/** One sample from the host's `GET /metrics`. */
export async function hostMetric(
  hostUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const response = await request(hostUrl).get('/metrics').expect(200);
  return sample(response.text, name, labels);
}
