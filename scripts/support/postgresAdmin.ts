import { Client } from 'pg';

/** Runs one administrative statement (CREATE / DROP DATABASE) on its own connection; tests and the benchmark use it. */
export async function runAdminSql(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
