export { type Capability, CAPABILITY_ROLES, describeRolesFor, hasCapability } from './capabilities';
export { CurrentPrincipal } from './current-principal.decorator';
export {
  ALL_WORKSPACES,
  mayAccessWorkspace,
  type Principal,
  type PrincipalKind,
} from './principal';
export { Requires } from './requires.decorator';
export { isRole, type Role, ROLES } from './roles';
export { AuthModule } from './auth.module';
