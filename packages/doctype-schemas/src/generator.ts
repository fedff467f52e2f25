/**
 * `@edusync/doctype-schemas/generator`: build schema modules from DocType metadata — JSON files or a
 * live site — as the `edusync-schemas` CLI does. Node only (reads files).
 *
 * @example
 * ```ts
 * import { generateSchemaSource, loadDocTypesFromDir } from '@edusync/doctype-schemas/generator'
 * const source = generateSchemaSource(await loadDocTypesFromDir('./doctypes'))
 * ```
 *
 * @packageDocumentation
 */

export type { FetchFromSiteOptions, GenerateOptions } from './generate.js'
export {
  applyCustomFields,
  buildMetadata,
  DEFAULT_NOTES,
  fetchDocTypesFromSite,
  generateSchemaSource,
  loadDocTypesFromDir,
} from './generate.js'
export type { RenderOptions } from './render.js'
export { GENERATED_HEADER, renderSchemaModule, typeNameOf } from './render.js'
export type { CliIo } from './cli-core.js'
export { runCli } from './cli-core.js'
