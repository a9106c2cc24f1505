/** Jest `setupFilesAfterEnv`: whatever a test opened is closed after it, pass or fail. */
import { closeAll } from './resources';

afterEach(closeAll);
