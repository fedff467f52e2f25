import type { Flag, ValueFieldType } from './meta.js'

/**
 * A Custom Field document, ready to `POST /api/resource/Custom Field`. `fieldname` is explicit, so
 * Frappe keeps it as is (no `custom_` prefix).
 */
export interface CustomFieldDefinition {
  readonly doctype: 'Custom Field'
  /** The doctype the field is added to. */
  readonly dt: string
  readonly fieldname: string
  readonly label: string
  readonly fieldtype: ValueFieldType
  /** The field this one follows on the form. */
  readonly insert_after: string
  readonly options?: string
  readonly description?: string
  /** Needed on submittable doctypes (Program Enrollment) so the field can change after submit. */
  readonly allow_on_submit?: Flag
  readonly reqd?: Flag
  readonly unique?: Flag
  readonly read_only?: Flag
}

/** One field of a custom DocType definition (a DocField as posted inside `fields`). */
export interface CustomDocFieldDefinition {
  readonly fieldname: string
  readonly label: string
  readonly fieldtype: ValueFieldType
  readonly options?: string
  readonly description?: string
  readonly reqd?: Flag
  readonly unique?: Flag
  readonly read_only?: Flag
  readonly in_list_view?: Flag
}

/** A DocPerm row of a custom DocType definition. */
export interface CustomDocPermDefinition {
  readonly role: string
  readonly read: Flag
  readonly write: Flag
  readonly create: Flag
  readonly delete: Flag
}

/** A custom DocType document, ready to `POST /api/resource/DocType`. */
export interface CustomDocTypeDefinition {
  readonly doctype: 'DocType'
  readonly name: string
  readonly module: string
  readonly custom: 1
  readonly istable: 0
  readonly issingle: 0
  readonly is_submittable: 0
  readonly autoname: string
  readonly naming_rule: string
  readonly sort_field: 'modified'
  readonly sort_order: 'DESC'
  readonly track_changes: Flag
  readonly fields: readonly CustomDocFieldDefinition[]
  readonly permissions: readonly CustomDocPermDefinition[]
}

function customFields(
  dt: string,
  after: string,
  fields: readonly [fieldname: string, label: string, fieldtype: ValueFieldType, description: string][],
  extra: { allow_on_submit?: Flag } = {},
): CustomFieldDefinition[] {
  let insertAfter = after
  return fields.map(([fieldname, label, fieldtype, description]) => {
    const def: CustomFieldDefinition = {
      doctype: 'Custom Field',
      dt,
      fieldname,
      label,
      fieldtype,
      insert_after: insertAfter,
      description,
      ...extra,
    }
    insertAfter = fieldname
    return def
  })
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/**
 * The AI custom fields EduSync adds to ERPNext, as Custom Field documents ready to POST, in install
 * order (each follows the previous one on the form). JSON unless noted; Program Enrollment is
 * submittable, so its fields carry `allow_on_submit: 1`.
 *
 * @example
 * ```ts
 * for (const field of aiCustomFields) await client.insert('Custom Field', field)
 * ```
 */
export const aiCustomFields: readonly CustomFieldDefinition[] = deepFreeze([
  ...customFields('Student', 'student_name', [
    ['ai_learning_profile', 'AI Learning Profile', 'JSON', 'Learning profile maintained by the AI layer.'],
    ['ai_preferences_settings', 'AI Preferences Settings', 'JSON', 'How the student wants the AI to help.'],
    ['ai_interaction_summary', 'AI Interaction Summary', 'Text', 'Plain-text summary of AI interactions.'],
    ['ai_performance_insights', 'AI Performance Insights', 'JSON', 'Insights derived from assessments.'],
  ]),
  ...customFields('Instructor', 'instructor_log', [
    ['ai_teaching_profile', 'AI Teaching Profile', 'JSON', 'Teaching profile maintained by the AI layer.'],
    ['ai_assistance_preferences', 'AI Assistance Preferences', 'JSON', 'How the instructor wants AI help.'],
    ['ai_insights_config', 'AI Insights Config', 'JSON', 'Which insights the instructor receives.'],
    ['ai_performance_metrics', 'AI Performance Metrics', 'JSON', 'Aggregated teaching metrics.'],
  ]),
  ...customFields('Course', 'assessment_criteria', [
    ['ai_content_mapping', 'AI Content Mapping', 'JSON', 'Topics mapped to learning content.'],
    ['ai_difficulty_profile', 'AI Difficulty Profile', 'JSON', 'Estimated difficulty per topic.'],
    ['ai_learning_objectives', 'AI Learning Objectives', 'JSON', 'Learning objectives of the course.'],
    ['ai_resource_links', 'AI Resource Links', 'JSON', 'Curated resources for the course.'],
  ]),
  ...customFields(
    'Program Enrollment',
    'amended_from',
    [
      ['ai_progress_tracking', 'AI Progress Tracking', 'JSON', 'Progress through the program.'],
      ['ai_learning_path', 'AI Learning Path', 'JSON', 'Recommended path through the courses.'],
      ['ai_intervention_history', 'AI Intervention History', 'JSON', 'Interventions suggested and taken.'],
    ],
    { allow_on_submit: 1 },
  ),
])

const aiPermissions: readonly CustomDocPermDefinition[] = [
  { role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 },
  { role: 'Academics User', read: 1, write: 0, create: 0, delete: 0 },
]

const idempotencyField: CustomDocFieldDefinition = {
  fieldname: 'idempotency_key',
  label: 'Idempotency Key',
  fieldtype: 'Data',
  reqd: 1,
  unique: 1,
  read_only: 1,
  description: 'Set by EduSync; a retried insert with the same key is rejected as a duplicate.',
}

/**
 * The two custom doctypes EduSync adds, as DocType documents ready to POST. Each has a required, unique
 * `idempotency_key`, so an insert retried after a timeout cannot create a second document.
 */
export const aiCustomDocTypes: readonly CustomDocTypeDefinition[] = deepFreeze([
  {
    doctype: 'DocType',
    name: 'Assessment Insight',
    module: 'Education',
    custom: 1,
    istable: 0,
    issingle: 0,
    is_submittable: 0,
    autoname: 'hash',
    naming_rule: 'Random',
    sort_field: 'modified',
    sort_order: 'DESC',
    track_changes: 1,
    fields: [
      idempotencyField,
      {
        fieldname: 'assessment_result',
        label: 'Assessment Result',
        fieldtype: 'Link',
        options: 'Assessment Result',
        reqd: 1,
        in_list_view: 1,
      },
      { fieldname: 'ai_analysis', label: 'AI Analysis', fieldtype: 'JSON' },
      { fieldname: 'improvement_suggestions', label: 'Improvement Suggestions', fieldtype: 'JSON' },
      { fieldname: 'learning_gaps', label: 'Learning Gaps', fieldtype: 'JSON' },
      {
        fieldname: 'generated_timestamp',
        label: 'Generated Timestamp',
        fieldtype: 'Datetime',
        reqd: 1,
        in_list_view: 1,
      },
    ],
    permissions: aiPermissions,
  },
  {
    doctype: 'DocType',
    name: 'AI Engagement Log',
    module: 'Education',
    custom: 1,
    istable: 0,
    issingle: 0,
    is_submittable: 0,
    autoname: 'hash',
    naming_rule: 'Random',
    sort_field: 'modified',
    sort_order: 'DESC',
    track_changes: 1,
    fields: [
      idempotencyField,
      {
        fieldname: 'student',
        label: 'Student',
        fieldtype: 'Link',
        options: 'Student',
        reqd: 1,
        in_list_view: 1,
      },
      { fieldname: 'session_date', label: 'Session Date', fieldtype: 'Date', reqd: 1, in_list_view: 1 },
      {
        fieldname: 'interaction_duration',
        label: 'Interaction Duration',
        fieldtype: 'Int',
        description: 'Length of the session in seconds.',
      },
      { fieldname: 'questions_asked', label: 'Questions Asked', fieldtype: 'Int' },
      { fieldname: 'concepts_explored', label: 'Concepts Explored', fieldtype: 'JSON' },
      { fieldname: 'help_requests', label: 'Help Requests', fieldtype: 'Int' },
      {
        fieldname: 'independence_score',
        label: 'Independence Score',
        fieldtype: 'Float',
        description: 'From 0 (always helped) to 1 (fully independent).',
      },
    ],
    permissions: aiPermissions,
  },
])

/** Names of the AI doctypes EduSync adds. */
export const aiDocTypes = ['AI Engagement Log', 'Assessment Insight'] as const

/** Name of an AI doctype EduSync adds. */
export type AiDocTypeName = (typeof aiDocTypes)[number]
