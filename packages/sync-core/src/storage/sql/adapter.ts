import type { StorageAdapter, StorageAreas, StorageCapabilities } from '../types.js'
import { createSqlAreas } from './areas.js'
import type { SqlDialect, SqlDriver } from './driver.js'
import { migrate } from './migrations.js'

/** Assemble a {@link StorageAdapter} from a SQL driver and dialect. */
export function createSqlAdapter(options: {
  name: string
  capabilities: StorageCapabilities
  dialect: SqlDialect
  driver: SqlDriver
  /** Called once by `close()`. */
  close: () => Promise<void>
  /** Called once by `open()` before migrating. */
  connect?: () => Promise<void>
}): StorageAdapter {
  const { dialect, driver } = options
  const areas: StorageAreas = createSqlAreas(driver.executor, dialect, (fn) => driver.transaction(fn))
  return {
    name: options.name,
    capabilities: Object.freeze({ ...options.capabilities }),
    ...areas,
    async open() {
      await options.connect?.()
      await migrate(driver, dialect)
    },
    close: options.close,
    transaction(fn) {
      return driver.transaction((tx) => fn(createSqlAreas(tx, dialect, (inner) => inner(tx), true)))
    },
  }
}
