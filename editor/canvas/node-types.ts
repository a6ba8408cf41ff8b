/**
 * The React Flow node types of the canvas, one per `CanvasNodeType`; a constant, so React Flow never remounts nodes.
 */
import type { NodeTypes } from '@xyflow/react';
import type { CanvasNodeType } from '../model/flow-canvas.ts';
import { FlowNodeView, UnknownNodeView } from './flow-node-view.tsx';
import { CommentNodeView, GroupNodeView, JunctionNodeView, SubflowPortView } from './structural-node-views.tsx';

export const nodeTypes = {
  'flow-node': FlowNodeView,
  'unknown-node': UnknownNodeView,
  comment: CommentNodeView,
  junction: JunctionNodeView,
  'flow-group': GroupNodeView,
  'subflow-port': SubflowPortView,
} satisfies Record<CanvasNodeType, NodeTypes[string]>;
