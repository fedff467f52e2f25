import { MigrationError, SchemaVersionError, isStorageError } from '../errors.js'
import type { SqlDialect, SqlDriver, SqlExecutor } from './driver.js'

/** One versioned migration: a list of statements built for a dialect. */
export interface SqlMigration {
  readonly version: number
  readonly name: string
  statements(d: SqlDialect): string[]
}

function initial(d: SqlDialect): string[] {
  const { json, bool, int, real, text, id } = d.types
  const t = (n: string) => d.table(n)
  const ix = (n: string) => (d.kind === 'postgres' ? n : d.table(n))
  return [
    `CREATE TABLE ${t('sync_documents')} (
      doctype ${text} NOT NULL, name ${text} NOT NULL, data ${json} NOT NULL, modified ${text} NOT NULL,
      modified_key ${text} NOT NULL, hash ${text} NOT NULL, base ${json}, base_modified ${text},
      deleted ${bool} NOT NULL DEFAULT FALSE, deleted_at ${int}, synced_at ${int} NOT NULL, updated_at ${int} NOT NULL,
      PRIMARY KEY (doctype, name))`,
    `CREATE INDEX ${ix('sync_documents_order')} ON ${t('sync_documents')} (doctype, modified_key, name)`,
    `CREATE TABLE ${t('sync_queue')} (
      id ${id}, coalesce_key ${text} NOT NULL, kind ${text} NOT NULL, doctype ${text} NOT NULL, name ${text} NOT NULL,
      payload ${json}, modified ${text}, modified_key ${text}, priority ${int} NOT NULL, run_at ${int} NOT NULL,
      state ${text} NOT NULL CHECK (state IN ('pending', 'leased', 'dead')), attempts ${int} NOT NULL,
      max_attempts ${int} NOT NULL, last_error ${text}, worker ${text}, lease_token ${text}, lease_expires_at ${int},
      created_at ${int} NOT NULL, updated_at ${int} NOT NULL)`,
    `CREATE UNIQUE INDEX ${ix('sync_queue_pending_key')} ON ${t('sync_queue')} (coalesce_key) WHERE state = 'pending'`,
    `CREATE INDEX ${ix('sync_queue_due')} ON ${t('sync_queue')} (state, priority DESC, run_at, id)`,
    `CREATE UNIQUE INDEX ${ix('sync_queue_token')} ON ${t('sync_queue')} (lease_token)`,
    `CREATE INDEX ${ix('sync_queue_expiry')} ON ${t('sync_queue')} (lease_expires_at) WHERE state = 'leased'`,
    `CREATE TABLE ${t('sync_cursors')} (
      site ${text} NOT NULL, doctype ${text} NOT NULL, modified ${text} NOT NULL, name ${text} NOT NULL,
      updated_at ${int} NOT NULL, PRIMARY KEY (site, doctype))`,
    `CREATE TABLE ${t('sync_reviews')} (
      id ${id}, doctype ${text} NOT NULL, name ${text} NOT NULL, field ${text} NOT NULL, base ${json}, local ${json},
      remote ${json}, reason ${text}, status ${text} NOT NULL CHECK (status IN ('open', 'resolved')),
      resolution ${json}, resolved_by ${text}, created_at ${int} NOT NULL, resolved_at ${int})`,
    `CREATE INDEX ${ix('sync_reviews_status')} ON ${t('sync_reviews')} (status, id)`,
    `CREATE INDEX ${ix('sync_reviews_document')} ON ${t('sync_reviews')} (doctype, name)`,
    `CREATE TABLE ${t('sync_logs')} (
      id ${id}, type ${text} NOT NULL, doctype ${text}, name ${text}, direction ${text}, status ${text} NOT NULL,
      error ${text}, payload_hash ${text}, fields ${json} NOT NULL, at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('sync_logs_entity')} ON ${t('sync_logs')} (doctype, name, at)`,
    `CREATE INDEX ${ix('sync_logs_at')} ON ${t('sync_logs')} (at)`,
    `CREATE INDEX ${ix('sync_logs_type')} ON ${t('sync_logs')} (type, at)`,
    `CREATE TABLE ${t('student_ai_profiles')} (
      student_id ${text} PRIMARY KEY, learning_style ${text}, profile ${json} NOT NULL, preferences ${json},
      created_at ${int} NOT NULL, updated_at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('student_ai_profiles_updated')} ON ${t('student_ai_profiles')} (updated_at)`,
    `CREATE TABLE ${t('ai_chat_interactions')} (
      id ${text} PRIMARY KEY, student_id ${text} NOT NULL, session_id ${text} NOT NULL, course_id ${text},
      question ${text} NOT NULL, response ${text} NOT NULL, concepts ${json} NOT NULL,
      help_requested ${bool} NOT NULL, duration_ms ${int} NOT NULL, created_at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('ai_chat_interactions_student')} ON ${t('ai_chat_interactions')} (student_id, created_at)`,
    `CREATE INDEX ${ix('ai_chat_interactions_session')} ON ${t('ai_chat_interactions')} (session_id)`,
    `CREATE INDEX ${ix('ai_chat_interactions_created')} ON ${t('ai_chat_interactions')} (created_at, id)`,
    `CREATE TABLE ${t('knowledge_base_content')} (
      id ${text} PRIMARY KEY, course_id ${text}, topic ${text} NOT NULL, title ${text} NOT NULL,
      content ${text} NOT NULL, content_type ${text} NOT NULL, metadata ${json},
      created_at ${int} NOT NULL, updated_at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('knowledge_base_content_course')} ON ${t('knowledge_base_content')} (course_id, topic)`,
    `CREATE INDEX ${ix('knowledge_base_content_topic')} ON ${t('knowledge_base_content')} (topic)`,
    `CREATE TABLE ${t('ai_insights')} (
      id ${text} PRIMARY KEY, student_id ${text} NOT NULL, insight_type ${text} NOT NULL, data ${json} NOT NULL,
      confidence ${real}, status ${text} NOT NULL CHECK (status IN ('pending', 'reviewed', 'acted_upon')),
      synced_to_erpnext ${bool} NOT NULL, erpnext_name ${text}, created_at ${int} NOT NULL, updated_at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('ai_insights_student')} ON ${t('ai_insights')} (student_id, created_at)`,
    `CREATE INDEX ${ix('ai_insights_status')} ON ${t('ai_insights')} (status, created_at)`,
    `CREATE INDEX ${ix('ai_insights_unsynced')} ON ${t('ai_insights')} (created_at, id) WHERE synced_to_erpnext = FALSE`,
    `CREATE TABLE ${t('privacy_reidentification')} (
      pseudonym ${text} PRIMARY KEY, tenant ${text} NOT NULL, purpose ${text} NOT NULL, key_id ${text} NOT NULL,
      subject_id ${text} NOT NULL, created_at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('privacy_reidentification_subject')} ON ${t('privacy_reidentification')} (tenant, subject_id)`,
    `CREATE TABLE ${t('privacy_disclosures')} (
      id ${text} PRIMARY KEY, tenant ${text} NOT NULL, student_id ${text} NOT NULL, doctype ${text} NOT NULL,
      docname ${text} NOT NULL, purpose ${text} NOT NULL, recipient ${text} NOT NULL, actor ${text},
      legal_basis ${text}, fields ${json} NOT NULL, withheld ${json} NOT NULL, at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('privacy_disclosures_student')} ON ${t('privacy_disclosures')} (tenant, student_id, at)`,
    `CREATE TABLE ${t('privacy_tombstones')} (
      tenant ${text} NOT NULL, subject_id ${text} NOT NULL, kind ${text} NOT NULL, request_id ${text} NOT NULL,
      action ${text} NOT NULL, erased_at ${int} NOT NULL, PRIMARY KEY (tenant, subject_id, kind, request_id))`,
    `CREATE TABLE ${t('privacy_consent')} (
      tenant ${text} NOT NULL, student_id ${text} NOT NULL, directory_opt_out ${bool} NOT NULL,
      restricted ${bool} NOT NULL, objected_purposes ${json} NOT NULL, legal_hold ${bool} NOT NULL,
      updated_at ${int} NOT NULL, PRIMARY KEY (tenant, student_id))`,
    `CREATE TABLE ${t('privacy_data_keys')} (
      tenant ${text} NOT NULL, id ${text} NOT NULL, version ${int} NOT NULL, kek_id ${text} NOT NULL,
      wrapped ${text} NOT NULL, created_at ${int} NOT NULL, PRIMARY KEY (tenant, id))`,
    `CREATE TABLE ${t('webhook_seen')} (seen_key ${text} PRIMARY KEY, expires_at ${int} NOT NULL)`,
    `CREATE INDEX ${ix('webhook_seen_expiry')} ON ${t('webhook_seen')} (expires_at)`,
  ]
}

/**
 * Version 2: an index on the queue's (doctype, name), so `queue.cancel` (erasure) finds a document's tasks
 * without scanning the whole queue.
 */
function queueDocumentIndex(d: SqlDialect): string[] {
  const ix = d.kind === 'postgres' ? 'sync_queue_document' : d.table('sync_queue_document')
  return [`CREATE INDEX ${ix} ON ${d.table('sync_queue')} (doctype, name)`]
}

/** The migrations shipped with this version, in order. Never edit one that was released; append. */
export const SQL_MIGRATIONS: readonly SqlMigration[] = [
  { version: 1, name: 'initial', statements: initial },
  { version: 2, name: 'queue_document_index', statements: queueDocumentIndex },
]

/** The newest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = SQL_MIGRATIONS[SQL_MIGRATIONS.length - 1]!.version

/**
 * Apply pending migrations in one transaction. Refuses, with {@link SchemaVersionError}, a database that
 * records a version newer than the code or one it does not know; a failing migration rolls back and
 * surfaces as {@link MigrationError}.
 */
export async function migrate(
  driver: SqlDriver,
  d: SqlDialect,
  migrations: readonly SqlMigration[] = SQL_MIGRATIONS,
): Promise<number> {
  const latest = migrations[migrations.length - 1]?.version ?? 0
  let current = 0
  let running = 0
  try {
    return await driver.transaction(async (ex: SqlExecutor) => {
      for (const statement of d.migrationPrelude) await ex.all(statement)
      const mt = d.table('schema_migrations')
      await ex.run(
        `CREATE TABLE IF NOT EXISTS ${mt} (version ${d.types.int} PRIMARY KEY, name ${d.types.text} NOT NULL, applied_at ${d.types.int} NOT NULL)`,
      )
      const rows = await ex.all(`SELECT version, name FROM ${mt} ORDER BY version`)
      for (const row of rows) {
        const version = Number(row.version)
        current = Math.max(current, version)
        if (version > latest) {
          throw new SchemaVersionError(
            version,
            latest,
            'the database was migrated by a newer version of @edusync/sync-core; upgrade the package',
          )
        }
        const known = migrations.find((m) => m.version === version)
        if (!known || known.name !== row.name) {
          throw new SchemaVersionError(
            version,
            latest,
            `migration ${version} ("${String(row.name)}") is not one this package shipped; the database belongs to something else`,
          )
        }
      }
      for (const migration of migrations) {
        if (migration.version <= current) continue
        running = migration.version
        for (const statement of migration.statements(d)) await ex.run(statement)
        await ex.run(`INSERT INTO ${mt} (version, name, applied_at) VALUES (?, ?, ?)`, [
          migration.version,
          migration.name,
          Date.now(),
        ])
      }
      return latest
    })
  } catch (error) {
    // Only a failing migration is a MigrationError; failing to connect or to read the version table is
    // a driver failure the store reports as StorageOperationError.
    if (isStorageError(error) || running === 0) throw error
    throw new MigrationError(running, error)
  }
}
