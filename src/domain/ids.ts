/** Ids are random UUIDs; the crypto global exists in Node ≥ 19 and browsers, so domain stays I/O free. */
export const newId = (): string => crypto.randomUUID();
