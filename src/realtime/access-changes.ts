/**
 * Counts the changes of access this node has applied to its sockets (a
 * removal, a role change, a deletion, a re-check after a Redis outage). An
 * open reads the count before its access check and again once the socket
 * is in the room: unchanged, nothing that evicts or demotes sockets ran in
 * between, so the check's answer still holds; changed, the eviction may
 * have looked for the socket before it was in the room, and the open checks
 * again. In a cluster a change reaches this node after it is stored: heard
 * before the join, it changed the count; after, it finds the socket there.
 */
export class AccessChanges {
  private count = 0;

  get version(): number {
    return this.count;
  }

  changed(): void {
    this.count += 1;
  }
}
