import { Type } from '@sinclair/typebox';
import type { RouteTable } from '../http/route-table.ts';
import type { FlowService } from './flow-service.ts';

const FlowsBody = Type.Object({
  flows: Type.Array(Type.Unknown(), { description: 'Node-RED flow JSON: tabs, nodes, config nodes, subflows' }),
  rev: Type.Optional(Type.String({ description: 'The rev you loaded; a stale rev is refused with 409' })),
}, { additionalProperties: false });

const DeployBody = Type.Object({
  flows: FlowsBody.properties.flows,
  rev: FlowsBody.properties.rev,
  deploymentType: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('nodes'), Type.Literal('flows')], {
    description: "What restarts: 'full' every flow (default), 'flows' the changed flows, 'nodes' the changed nodes (Node-RED-Deployment-Type)",
  })),
}, { additionalProperties: false });

export function registerFlowRoutes(table: RouteTable, flows: FlowService): void {
  table.add({
    method: 'get', path: '/flows', access: 'flows:read', tag: 'flows',
    summary: 'The deployed flows as Node-RED flow JSON, with their rev',
    handler: () => flows.get(),
  });
  table.add({
    method: 'post', path: '/flows', access: 'flows:write', tag: 'flows',
    summary:
      'Deploy (or import) Node-RED flow JSON; refused with the list of problems when a node type is missing, and with 403 and ' +
      'the node ids when it adds or changes code nodes (function, exec, file…) without flows:code',
    body: DeployBody,
    handler: ({ body, principal }) => flows.deploy(body.flows, body.rev, principal, body.deploymentType),
  });
  table.add({
    method: 'post', path: '/flows/inject/:nodeId', access: 'flows:write', tag: 'flows',
    summary: 'Fire a deployed inject node, as its button in the editor does (404 when no such inject node runs)',
    params: Type.Object({ nodeId: Type.String({ minLength: 1, maxLength: 64 }) }),
    handler: async ({ params, principal }) => {
      await flows.inject(params.nodeId, principal.username);
    },
  });
  table.add({
    method: 'post', path: '/flows/check', access: 'flows:read', tag: 'flows',
    summary: 'Check flow JSON without deploying: errors block a deploy, warnings are nodes that would start inert',
    body: FlowsBody,
    handler: ({ body }) => flows.check(body.flows),
  });
}
