import { openDatabase } from '../sqlite/open-database.ts';
import { MemoryWebhookOutbox } from './memory-webhook-outbox.ts';
import { SqliteWebhookOutbox } from './sqlite-webhook-outbox.ts';
import { describeWebhookOutboxContract } from './webhook-outbox.contract.ts';

describeWebhookOutboxContract('memory', () => new MemoryWebhookOutbox());
describeWebhookOutboxContract('sqlite', () => new SqliteWebhookOutbox(openDatabase(':memory:')));
