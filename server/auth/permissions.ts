/**
 * Roles and what each may do. Operators read and acknowledge; engineers also edit products, devices and flows;
 * admins also manage users and secrets. Every route names exactly one permission.
 */
export const roles = ['operator', 'engineer', 'admin'] as const;
export type Role = (typeof roles)[number];

export const permissionsByRole = {
  operator: [
    'products:read', 'devices:read', 'flows:read', 'alerts:read', 'alerts:ack', 'tokens:own', 'palette:read',
  ],
  engineer: [
    'products:read', 'devices:read', 'flows:read', 'alerts:read', 'alerts:ack', 'tokens:own', 'palette:read',
    'products:write', 'devices:write', 'flows:write',
  ],
  admin: [
    'products:read', 'devices:read', 'flows:read', 'alerts:read', 'alerts:ack', 'tokens:own', 'palette:read',
    'products:write', 'devices:write', 'flows:write',
    'devices:secret', 'users:manage', 'audit:read',
  ],
} as const satisfies Record<Role, readonly string[]>;

export type Permission = (typeof permissionsByRole)['admin'][number];

const sets = Object.fromEntries(
  Object.entries(permissionsByRole).map(([role, list]) => [role, new Set<string>(list)]),
) as Record<Role, Set<string>>;

export function roleAllows(role: Role, permission: Permission): boolean {
  return sets[role].has(permission);
}

/** A token may carry a role at most as strong as its owner's. */
export function roleAtMost(wanted: Role, ceiling: Role): boolean {
  return roles.indexOf(wanted) <= roles.indexOf(ceiling);
}
