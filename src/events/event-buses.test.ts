import { openDatabase } from '../sqlite/open-database.ts';
import { describeEventBusContract } from './event-bus.contract.ts';
import { MemoryEventBus } from './memory-event-bus.ts';
import { SqliteEventBus } from './sqlite-event-bus.ts';

describeEventBusContract('memory', () => new MemoryEventBus());
describeEventBusContract('sqlite', () => new SqliteEventBus(openDatabase(':memory:')));
