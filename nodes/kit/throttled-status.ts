/**
 * Node status that follows a busy node without flooding the editor: every status update is a message to every open
 * editor, and a node on the device path sees thousands of messages a second.
 */
import type { NodeRedNode, NodeStatus } from './node-red-api.ts';

/**
 * A status setter that shows the first update at once and then at most one per interval (the latest wins). A node
 * on the device path passes a function, defined once: the status text is then built once per interval, not once
 * per message.
 */
export interface ThrottledStatus {
  set(status: NodeStatus | (() => NodeStatus)): void;
  /** Drops a pending update; call from `onClose`. */
  dispose(): void;
}

/** Throttles `node.status` to one update per `intervalMs`. */
export function throttledStatus(node: Pick<NodeRedNode, 'status'>, intervalMs = 1000): ThrottledStatus {
  let lastShownAt = -Infinity;
  let pending: NodeStatus | (() => NodeStatus) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const show = (status: NodeStatus | (() => NodeStatus)) => {
    lastShownAt = Date.now();
    node.status(typeof status === 'function' ? status() : status);
  };
  return {
    set(status) {
      if (timer) {
        pending = status;
        return;
      }
      const wait = lastShownAt + intervalMs - Date.now();
      if (wait <= 0) {
        show(status);
        return;
      }
      pending = status;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending) show(pending);
        pending = undefined;
      }, Math.max(wait, 0));
      // A status refresh alone must not keep a stopping process alive.
      (timer as { unref?: () => void }).unref?.();
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
