/**
 * Roles and what each may do. Operators read and acknowledge; engineers also edit products, devices and flows and roll out firmware;
 * admins also deploy code nodes (host access), manage users and secrets. Every route names exactly one permission.
 * Browser-safe: the app offers only what a role's permissions allow.
 */
export const roles = ['operator', 'engineer', 'admin'] as const;
export type Role = (typeof roles)[number];

export const permissionsByRole = {
  operator: [
    'products:read', 'devices:read', 'flows:read', 'alerts:read', 'alerts:ack', 'tokens:own', 'palette:read', 'ota:read',
    'dashboards:own',
  ],
  engineer: [
    'products:read', 'devices:read', 'flows:read', 'alerts:read', 'alerts:ack', 'tokens:own', 'palette:read', 'ota:read',
    'dashboards:own',
    'products:write', 'devices:write', 'flows:write', 'ota:write', 'dashboards:share',
  ],
  admin: [
    'products:read', 'devices:read', 'flows:read', 'alerts:read', 'alerts:ack', 'tokens:own', 'palette:read', 'ota:read',
    'dashboards:own',
    'products:write', 'devices:write', 'flows:write', 'ota:write', 'dashboards:share',
    // Deploying a node that runs code or touches the host (function, exec, file…) is host access: whoever holds it
    // can read the key files and the database, so it is its own permission.
    'flows:code',
    'devices:secret', 'users:manage', 'audit:read', 'dashboards:manage',
  ],
} as const satisfies Record<Role, readonly string[]>;

export type Permission = (typeof permissionsByRole)['admin'][number];

const sets = Object.fromEntries(
  Object.entries(permissionsByRole).map(([role, list]) => [role, new Set<string>(list)]),
) as Record<Role, Set<string>>;

/** Whether a role holds a permission by default (without {@link RolePolicyOptions}). */
export function roleAllows(role: Role, permission: Permission): boolean {
  return sets[role].has(permission);
}

export interface RolePolicyOptions {
  /** Engineers also hold `flows:code` (the server's `--engineers-deploy-code`): they may deploy code nodes. */
  engineersDeployCode?: boolean;
}

/** The permissions of each role on this server: the defaults, plus `flows:code` for engineers when configured. */
export function rolePermissions(options: RolePolicyOptions = {}): Record<Role, ReadonlySet<Permission>> {
  const engineer = new Set<Permission>(permissionsByRole.engineer);
  if (options.engineersDeployCode) engineer.add('flows:code');
  return { operator: new Set(permissionsByRole.operator), engineer, admin: new Set(permissionsByRole.admin) };
}

/** The weaker of two roles: what a token may do is bounded by what its owner may do now. */
export function weakerRole(a: Role, b: Role): Role {
  return roles.indexOf(a) <= roles.indexOf(b) ? a : b;
}

/** A token may carry a role at most as strong as its owner's. */
export function roleAtMost(wanted: Role, ceiling: Role): boolean {
  return roles.indexOf(wanted) <= roles.indexOf(ceiling);
}

/** Who is calling: resolved from a session token, the session cookie or an API token. */
export interface Principal {
  userId: number;
  username: string;
  /** The role in effect: the user's, or for an API token the weaker of the token's and its owner's current role. */
  role: Role;
  /** What {@link role} may do on this server (see `rolePermissions`). */
  permissions: ReadonlySet<Permission>;
  via: 'session' | 'api-token';
  tokenId?: number;
}

/** Whether the caller holds a permission. */
export function allows(principal: Principal | undefined, permission: Permission): boolean {
  return principal?.permissions.has(permission) ?? false;
}
