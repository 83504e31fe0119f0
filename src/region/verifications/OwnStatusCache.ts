import { createHash } from 'node:crypto';
import type { Clock } from '../../clock';
import { StatusBits } from '../../format/federation/StatusBits';
import type { Database } from '../../store/Database';
import type { FederationStore } from '../../store/FederationStore';

interface HeldList {
  uscc: string;
  bits: StatusBits;
  /** The list's change counter when loaded (status_lists.version, bumped by every status change on it). */
  version: number;
  /** Slots taken when loaded: a higher index is a licence issued since, not known here yet. */
  nextIndex: number;
  /** Who holds each slot below nextIndex. */
  issued: SlotIdentifiers;
}

/** What memory says of a presented licence. */
export type MemoryAnswer =
  | { kind: 'valid'; asOf: Date }
  /** The slot is this node's, but it issued no licence with this identifier there. */
  | { kind: 'not_issued' };

/**
 * Per slot, the first 8 bytes of SHA-256 of the identifier issued there (zero:
 * none): 8 bytes a slot instead of the identifier text, and a forger choosing
 * an identifier would need a 64-bit second preimage to pass as another's.
 * Identifiers never change, so a list dropped for a status change keeps these
 * and reads only the slots issued since.
 */
class SlotIdentifiers {
  constructor(readonly count: number, private readonly words: Uint32Array) {}

  static digest(identifier: string): [number, number] {
    const d = createHash('sha256').update(identifier).digest();
    return [d.readUInt32BE(0), d.readUInt32BE(4)];
  }

  /** These slots and those in [count, nextIndex) from `added`. */
  extended(nextIndex: number, added: readonly { index: number; identifier: string }[]): SlotIdentifiers {
    if (nextIndex <= this.count) return this;
    const words = new Uint32Array(nextIndex * 2);
    words.set(this.words.subarray(0, this.count * 2));
    for (const a of added) {
      if (a.index < this.count || a.index >= nextIndex) continue;
      const [hi, lo] = SlotIdentifiers.digest(a.identifier);
      words[a.index * 2] = hi;
      words[a.index * 2 + 1] = lo;
    }
    return new SlotIdentifiers(nextIndex, words);
  }

  holds(index: number, identifier: string): boolean {
    if (index < 0 || index >= this.count) return false;
    const [hi, lo] = SlotIdentifiers.digest(identifier);
    return this.words[index * 2] === hi && this.words[index * 2 + 1] === lo;
  }
}

const NONE = new SlotIdentifiers(0, new Uint32Array(0));

/**
 * The region's own licence states in memory, for verification: per status
 * list the 2-bit states (built from the few licences that are not valid), so
 * that verifying a valid licence needs no read of the licence rows. Every
 * status change anywhere in the region bumps one counter (migration 0005) and
 * the changed list's own counter. A verification sees every change committed
 * before it began: on a database other processes write too (PostgreSQL), each
 * answer waits for a read of the counter that started after the request
 * arrived, one read shared by all requests waiting together; when the counter
 * moved, only the lists whose own counters moved are dropped. On the embedded
 * database this process is the only writer (its lock file keeps others out),
 * so its own changes (`invalidate`) are all there is to hear. Memory answers
 * only "valid" for the licence this node issued at that slot (identifier
 * bound, never the slot alone) and "not issued" for any other identifier
 * there; a revoked or suspended bit, a slot taken since, or a licence without
 * a status entry go to the database (reason, time, or authoritative "unknown").
 */
export class OwnStatusCache {
  #lists = new Map<string, HeldList>();
  /** Slot identifiers of every list read so far, kept when the list's states are dropped. */
  #issued = new Map<string, SlotIdentifiers>();
  /** Loads under way: requests arriving together for a list not held share one read. */
  #loading = new Map<string, Promise<HeldList | null>>();
  #version = -1;
  #confirmedAt = 0;
  #dirty = true;
  #started = false;
  /** The counter read under way, and the one queued behind it for requests that arrived after it began. */
  #reading: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(private readonly deps: { db: Database; clock: Clock; store: FederationStore }) {}

  async start(): Promise<void> {
    this.#started = true;
  }

  async close(): Promise<void> {
    this.#started = false;
  }

  /** A status changed through this process: the next answer re-reads the counter. */
  invalidate(): void {
    this.#dirty = true;
  }

  /**
   * 'valid' when memory says so with certainty; 'not_issued' when the slot is
   * held here and this node issued another identifier (or none) there; null
   * when the caller must ask the database (not valid, slot issued since,
   * no entry, cache not confirmable).
   */
  async fromMemory(license: { identifier: string; issuerCode: string; statusEntry?: { listId: string; index: number } | undefined }): Promise<MemoryAnswer | null> {
    const entry = license.statusEntry;
    if (!entry || !this.#started) return null;
    await this.#confirm();
    let list = this.#lists.get(entry.listId);
    if (!list) {
      const loaded = await this.#loadOnce(entry.listId);
      if (!loaded) return null;
      list = loaded;
    }
    if (list.uscc !== license.issuerCode || entry.index >= list.nextIndex) return null;
    if (!list.issued.holds(entry.index, license.identifier)) return { kind: 'not_issued' };
    return list.bits.get(entry.index) === 'valid' ? { kind: 'valid', asOf: new Date(this.#confirmedAt) } : null;
  }

  /** Resolves once the counter has been read at or after the call (or, as sole writer, once own changes are taken in). */
  #confirm(): Promise<void> {
    if (this.deps.db.soleWriter && !this.#dirty) {
      this.#confirmedAt = this.deps.clock.now().getTime();
      return Promise.resolve();
    }
    if (!this.#reading) return (this.#reading = this.#readCounter().finally(() => (this.#reading = undefined)));
    // A read began before this request: wait for the next one, shared by everyone arriving meanwhile.
    if (!this.#queued) {
      this.#queued = this.#reading
        .catch(() => undefined)
        .then(() => {
          this.#queued = undefined;
          return (this.#reading = this.#readCounter().finally(() => (this.#reading = undefined)));
        });
    }
    return this.#queued;
  }

  async #readCounter(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    // Clear the flag before reading: a change made here during the read marks it dirty again.
    this.#dirty = false;
    try {
      const version = await this.deps.store.statusVersion(this.deps.db);
      if (version !== this.#version) {
        // Keep the lists nobody changed: one query for the counters of what is held.
        const current = await this.deps.store.statusListVersions(this.deps.db, [...this.#lists.keys()]);
        for (const [listId, held] of this.#lists) if (current.get(listId) !== held.version) this.#lists.delete(listId);
        this.#version = version;
      }
    } catch (e) {
      this.#dirty = true;
      throw e;
    }
    this.#confirmedAt = now;
  }

  #loadOnce(listId: string): Promise<HeldList | null> {
    let loading = this.#loading.get(listId);
    if (!loading) {
      loading = this.#load(listId).finally(() => this.#loading.delete(listId));
      this.#loading.set(listId, loading);
    }
    return loading;
  }

  async #load(listId: string): Promise<HeldList | null> {
    const { db, store } = this.deps;
    const version = this.#version;
    // The slots first: every licence below nextIndex is committed (allocated and inserted in one transaction).
    const slots = await store.statusListSlots(db, listId);
    if (!slots) return null;
    const bits = StatusBits.empty(slots.capacity);
    for (const e of await store.nonValidEntries(db, listId)) bits.set(e.index, e.status);
    const known = this.#issued.get(listId) ?? NONE;
    const issued = slots.nextIndex > known.count ? known.extended(slots.nextIndex, await store.slotIdentifiers(db, listId, known.count)) : known;
    this.#issued.set(listId, issued);
    const held = { uscc: slots.uscc, bits, nextIndex: Math.min(slots.nextIndex, issued.count), version: slots.version, issued };
    // Kept only if nothing changed while loading; else used for this answer at most, after a re-check.
    if (!this.#dirty && version === this.#version) this.#lists.set(listId, held);
    else return null;
    return held;
  }
}
