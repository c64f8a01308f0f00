import { openDatabase } from '../sqlite/open-database.ts';
import { describeJobStoreContract } from './job-store.contract.ts';
import { MemoryJobStore } from './memory-job-store.ts';
import { SqliteJobStore } from './sqlite-job-store.ts';

describeJobStoreContract('memory', () => new MemoryJobStore());
describeJobStoreContract('sqlite', () => new SqliteJobStore(openDatabase(':memory:')));
