// Result rows: `PASS|FAIL|SKIP  name  detail`, and the closing `N passed, N failed` line.

export type Status = "PASS" | "FAIL" | "SKIP";

export interface Row {
  readonly status: Status;
  readonly name: string;
  readonly detail: string;
}

export const pass = (name: string, detail: string): Row => ({ status: "PASS", name, detail });
export const fail = (name: string, detail: string): Row => ({ status: "FAIL", name, detail });
export const skip = (name: string, detail: string): Row => ({ status: "SKIP", name, detail });

/** Runs one check; an exception becomes a FAIL row with its message. */
export async function check(name: string, body: () => Promise<Row | string>): Promise<Row> {
  try {
    const r = await body();
    return typeof r === "string" ? pass(name, r) : r;
  } catch (err) {
    return fail(name, (err as Error).message.replace(/\s+/g, " ").slice(0, 400));
  }
}

export function formatRow(row: Row, nameWidth = 44): string {
  return `${row.status}  ${row.name.padEnd(nameWidth)}  ${row.detail}`;
}

export function summary(rows: readonly Row[]): string {
  const n = (s: Status) => rows.filter((r) => r.status === s).length;
  const skipped = n("SKIP");
  return `${n("PASS")} passed, ${n("FAIL")} failed${skipped ? `, ${skipped} skipped` : ""}`;
}

/** Writes progress to stderr with a prefix and the time since `start`. */
export function progressWriter(prefix: string, start = Date.now()): (message: string) => void {
  return (message) => process.stderr.write(`  … [${((Date.now() - start) / 1000).toFixed(1)}s] ${prefix}${message}\n`);
}

/** Prints the rows and the summary line; returns the exit code (1 when a row failed). */
export function printRows(rows: readonly Row[]): number {
  const width = Math.min(60, Math.max(0, ...rows.map((r) => r.name.length)));
  process.stdout.write(`\n${rows.map((r) => formatRow(r, width)).join("\n")}\n${summary(rows)}\n`);
  return rows.some((r) => r.status === "FAIL") ? 1 : 0;
}

/** Runs a command's main: its result is the exit code; an exception prints its message and exits 2. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    },
  );
}
