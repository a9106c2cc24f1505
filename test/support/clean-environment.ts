/**
 * Jest `setupFiles`: runs before a suite imports anything. `ConfigModule.forRoot()` runs when
 * `AppModule` is imported and keeps the environment it validated then, ahead of
 * `process.env`, so a variable exported in the shell (say `API_KEY`) would silently leak
 * into every app. Removing them here lets each app get exactly what its test asks for.
 */
import { MANAGED_VARIABLES } from './environment';

for (const name of MANAGED_VARIABLES) delete process.env[name];
