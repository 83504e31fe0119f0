import { AUDIT_GENESIS_HASH, auditEntryHash, type AuditEntry } from '../../src/store/auditEntryHash';
import { verifyAuditChain } from '../../src/store/verifyAuditChain';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');

function chain(length: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const e = { seq, at: new Date(T0 + seq * 1000), actor: 'ak_1', action: 'licence.issue', subject: `L${seq}`, details: { n: seq }, prevHash };
    const entry = { ...e, entryHash: auditEntryHash(e) };
    out.push(entry);
    prevHash = entry.entryHash;
  }
  return out;
}

/** A forger who recomputes the hash of what they changed. */
function rehash(e: Omit<AuditEntry, 'entryHash'>): AuditEntry {
  return { ...e, entryHash: auditEntryHash(e) };
}

describe('verifyAuditChain', () => {
  const rows = chain(6);
  const head = { seq: 6, entryHash: rows[5]!.entryHash };

  it('accepts an intact chain, also verified in pages', () => {
    expect(verifyAuditChain(rows, { expectedHead: head })).toEqual({ ok: true, count: 6, head });
    const first = verifyAuditChain(rows.slice(0, 3));
    expect(first.ok).toBe(true);
    if (first.ok) expect(verifyAuditChain(rows.slice(3), { after: first.head, expectedHead: head })).toMatchObject({ ok: true, count: 3 });
    expect(verifyAuditChain([])).toMatchObject({ ok: true, count: 0, head: { seq: 0, entryHash: AUDIT_GENESIS_HASH } });
  });

  it('the hash covers every field', () => {
    const base = rows[2]!;
    const variants: Array<Partial<AuditEntry>> = [
      { seq: 99 },
      { at: new Date(0) },
      { actor: 'other' },
      { action: 'licence.revoke' },
      { subject: 'L99' },
      { details: { n: 4 } },
      { prevHash: AUDIT_GENESIS_HASH },
    ];
    for (const v of variants) expect(auditEntryHash({ ...base, ...v })).not.toBe(base.entryHash);
  });

  it('detects a changed entry', () => {
    const tampered = rows.map((r) => (r.seq === 3 ? { ...r, details: { n: 333 } } : r));
    expect(verifyAuditChain(tampered)).toMatchObject({ ok: false, problem: 'changed', firstBadSeq: 3 });
  });

  it('detects a changed entry whose hash was recomputed', () => {
    const tampered = rows.map((r) => (r.seq === 3 ? rehash({ ...r, subject: 'someone else' }) : r));
    expect(verifyAuditChain(tampered)).toMatchObject({ ok: false, problem: 'changed', firstBadSeq: 3 });
  });

  it('detects a removed entry', () => {
    expect(verifyAuditChain(rows.filter((r) => r.seq !== 4))).toMatchObject({ ok: false, problem: 'removed', firstBadSeq: 4 });
  });

  it('detects entries removed from the end against the recorded head', () => {
    expect(verifyAuditChain(rows.slice(0, 4), { expectedHead: head })).toMatchObject({ ok: false, problem: 'removed', firstBadSeq: 5 });
  });

  it('detects a removal hidden by renumbering', () => {
    const renumbered = rows.filter((r) => r.seq !== 2).map((r) => (r.seq > 2 ? { ...r, seq: r.seq - 1 } : r));
    expect(verifyAuditChain(renumbered)).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it('detects reordered entries', () => {
    const swapped = [rows[0]!, rows[1]!, rows[3]!, rows[2]!, rows[4]!, rows[5]!];
    expect(verifyAuditChain(swapped)).toMatchObject({ ok: false, problem: 'reordered', firstBadSeq: 3 });
    const reversedTail = [rows[0]!, rows[1]!, rows[2]!, rows[5]!, rows[4]!, rows[3]!];
    expect(verifyAuditChain(reversedTail)).toMatchObject({ ok: false, problem: 'reordered', firstBadSeq: 4 });
  });

  it('detects an inserted entry that claims an existing seq', () => {
    const forged = rehash({ seq: 3, at: new Date(T0), actor: 'x', action: 'licence.issue', subject: 'forged', details: {}, prevHash: rows[1]!.entryHash });
    const withForgery = [rows[0]!, rows[1]!, forged, ...rows.slice(2)];
    expect(verifyAuditChain(withForgery)).toMatchObject({ ok: false, problem: 'inserted', firstBadSeq: 3 });
  });

  it('detects an inserted entry spliced in with renumbered successors', () => {
    // The forger inserts a well-formed entry 3 and renumbers the rest without being able to rechain them.
    const forged = rehash({ seq: 3, at: new Date(T0), actor: 'x', action: 'licence.issue', subject: 'forged', details: {}, prevHash: rows[1]!.entryHash });
    const shifted = rows.slice(2).map((r) => ({ ...r, seq: r.seq + 1 }));
    const result = verifyAuditChain([rows[0]!, rows[1]!, forged, ...shifted]);
    expect(result).toMatchObject({ ok: false, firstBadSeq: 4 });
    // Had the successor kept its hash, the splice is named as such.
    const rechained = rows.slice(2).map((r) => rehash({ ...r, seq: r.seq + 1 }));
    expect(verifyAuditChain([rows[0]!, rows[1]!, forged, ...rechained])).toMatchObject({ ok: false, problem: 'inserted', firstBadSeq: 3 });
  });

  it('detects entries appended outside the log', () => {
    const extra = rehash({ seq: 7, at: new Date(T0), actor: 'x', action: 'a', subject: 's', details: {}, prevHash: rows[5]!.entryHash });
    expect(verifyAuditChain([...rows, extra], { expectedHead: head })).toMatchObject({ ok: false, problem: 'inserted', firstBadSeq: 7 });
  });

  it('detects a forged first entry', () => {
    const forged = rehash({ ...rows[0]!, prevHash: 'f'.repeat(64) });
    expect(verifyAuditChain([forged, ...rows.slice(1)])).toMatchObject({ ok: false, firstBadSeq: 1 });
  });
});
