/** The stable exit-code contract of docs/product.md 5.1. Scripts depend on it. */
export const EXIT = {
  ACCEPTED: 0,
  REJECTED: 1,
  UNREADABLE: 2,
} as const;

/** Thrown inside commands to end with a given exit code and a one-line message. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
