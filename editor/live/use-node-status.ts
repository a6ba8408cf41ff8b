/**
 * A node's live status for the canvas: each node view subscribes to its own id, so a status change re-renders that
 * node only.
 */
import { useCallback, useSyncExternalStore } from 'react';
import type { LiveClient, NodeStatus } from './live-client.ts';

const noSubscription = () => () => {};
const noStatus = () => undefined;

/** The latest status of `nodeId` (`{fill, shape, text}`), or undefined when it has none or there is no live feed. */
export function useNodeStatus(live: LiveClient | null, nodeId: string): NodeStatus | undefined {
  const subscribe = useCallback((listener: () => void) => (live ? live.subscribeNodeStatus(nodeId, listener) : noSubscription()), [live, nodeId]);
  const read = useCallback(() => (live ? live.nodeStatus(nodeId) : undefined), [live, nodeId]);
  return useSyncExternalStore(subscribe, live ? read : noStatus, noStatus);
}
