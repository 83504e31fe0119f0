import type { Clock } from '../../../clock';
import { StatusBits } from '../../../federation/StatusBits';
import type { ChangeListener, Database } from '../../../store/Database';
import type { FederationStore } from '../../../store/FederationStore';

interface HeldList {
  uscc: string;
  bits: StatusBits;
  /** The list's change counter when loaded (status_lists.version, bumped by every status change on it). */
  version: number;
  /** Slots taken when loaded: a higher index is a licence issued since, not known here yet. */
  nextIndex: number;
}

/**
 * The region's own licence states in memory, for verification: per status
 * list the 2-bit states (built from the few licences that are not valid), so
 * that verifying a valid licence needs no database round trip. Every status
 * change anywhere in the region is announced (migration 0005: counter and
 * NOTIFY at commit); this process re-reads the counter on the next request
 * after a notice, and after its own API changed a status (`invalidate`), and
 * when it moved, drops only the lists whose own counters moved. While the notice connection is
 * down, the counter is re-read on every request. Only "valid" is answered from memory: a
 * revoked or suspended bit, an unknown slot or a licence without a status
 * entry go to the database (reason, time, or authoritative "unknown").
 */
export class OwnStatusCache {
  #lists = new Map<string, HeldList>();
  #version = -1;
  #confirmedAt = 0;
  #dirty = true;
  #listener: ChangeListener | undefined;

  constructor(private readonly deps: { db: Database; clock: Clock; store: FederationStore }) {}

  async start(): Promise<void> {
    this.#listener = await this.deps.db.listen('elicense_status', () => this.invalidate());
  }

  async close(): Promise<void> {
    await this.#listener?.close();
    this.#listener = undefined;
  }

  /** Forget what is held (a status changed through this process, or a notice came). */
  invalidate(): void {
    this.#dirty = true;
  }

  /**
   * 'valid' when memory says so with certainty; null when the caller must ask
   * the database (not valid, unknown slot, no entry, cache not confirmable).
   */
  async validFromMemory(entry: { listId: string; index: number } | undefined, issuerCode: string): Promise<{ asOf: Date } | null> {
    if (!entry || !this.#listener) return null;
    await this.#confirm();
    let list = this.#lists.get(entry.listId);
    if (!list) {
      const loaded = await this.#load(entry.listId);
      if (!loaded) return null;
      list = loaded;
    }
    if (list.uscc !== issuerCode || entry.index >= list.nextIndex) return null;
    return list.bits.get(entry.index) === 'valid' ? { asOf: new Date(this.#confirmedAt) } : null;
  }

  async #confirm(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const listening = this.#listener?.connected() ?? false;
    if (!this.#dirty && listening) {
      this.#confirmedAt = now;
      return;
    }
    // Clear the flag before reading: a notice arriving during the read marks it dirty again.
    this.#dirty = false;
    const version = await this.deps.store.statusVersion(this.deps.db);
    if (version !== this.#version) {
      // Keep the lists nobody changed: one query for the counters of what is held.
      const current = await this.deps.store.statusListVersions(this.deps.db, [...this.#lists.keys()]);
      for (const [listId, held] of this.#lists) if (current.get(listId) !== held.version) this.#lists.delete(listId);
      this.#version = version;
    }
    if (!listening) this.#dirty = true; // no notices: re-read the counter on the next request too
    this.#confirmedAt = now;
  }

  async #load(listId: string): Promise<HeldList | null> {
    const { db, store } = this.deps;
    const version = this.#version;
    const slots = await store.statusListSlots(db, listId);
    if (!slots) return null;
    const bits = StatusBits.empty(slots.capacity);
    for (const e of await store.nonValidEntries(db, listId)) bits.set(e.index, e.status);
    const held = { uscc: slots.uscc, bits, nextIndex: slots.nextIndex, version: slots.version };
    // Kept only if nothing changed while loading; else used for this answer at most, after a re-check.
    if (!this.#dirty && version === this.#version) this.#lists.set(listId, held);
    else return null;
    return held;
  }
}
