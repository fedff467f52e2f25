/**
 * `@edusync/doctype-schemas`: metadata, zod schemas, TypeScript types and privacy classification of
 * ERPNext's Education doctypes, generated from the real DocType definitions.
 *
 * @packageDocumentation
 */

export type {
  AiDocTypeName,
  CustomDocFieldDefinition,
  CustomDocPermDefinition,
  CustomDocTypeDefinition,
  CustomFieldDefinition,
} from './ai.js'
export { aiCustomDocTypes, aiCustomFields, aiDocTypes } from './ai.js'
export type { FieldClassification } from './classification.js'
export { classifyField, classifyStandardField, fieldClassifications } from './classification.js'
export type { DocIssue, DocTypeSchemasErrorCode } from './errors.js'
export {
  DocTypeSchemasError,
  DocValidationError,
  isDocTypeSchemasError,
  isDocValidationError,
  isMetadataError,
  isMetadataFetchError,
  isUnknownDocTypeError,
  MetadataError,
  MetadataFetchError,
  UnknownDocTypeError,
} from './errors.js'
export type { DocTypeMeta, FieldMeta, FieldType, Flag, LayoutFieldType, ValueFieldType } from './meta.js'
export type { DocTypeName, EducationDocTypeName } from './metadata.js'
export {
  aiDocTypeMeta,
  doctypeMeta,
  educationDocTypes,
  fieldClassification,
  getDocTypeMeta,
  getFieldClassification,
  isKnownDocType,
} from './metadata.js'
export { LAYOUT_FIELD_TYPES, normalizeDocType, selectOptions, VALUE_FIELD_TYPES } from './normalize.js'
export type {
  AnyDocTypeSchemaPair,
  CreateDocTypeMap,
  CreateMapOf,
  DocTypeMap,
  DocTypeRegistry,
  DocTypeSchemaPair,
  Flavour,
  ParseOptions,
  ParseResult,
  ReadMapOf,
  UpdateDoc,
} from './parse.js'
export { assertDoc, createDocTypeRegistry, parseDoc, schemaFor, validateOutgoing } from './parse.js'
export type { AiJsonContent, AiJsonContentSchemas, AiJsonDocType, AiJsonParseResult } from './ai-content.js'
export { aiJsonContentSchemas, encodeJsonField, parseAiJsonField } from './ai-content.js'
export type { SampleOptions } from './sample.js'
export { sampleDoc } from './sample.js'
export type {
  Check,
  ChildCreateBase,
  ChildReadBase,
  DocCreateBase,
  DocReadBase,
  DocStatus,
  DocTypeExtras,
  FieldExtras,
  SubmittableCreateBase,
} from './runtime.js'
export {
  childCreateBaseShape,
  childReadBaseShape,
  createBaseShape,
  defineDocType,
  defineField,
  fieldSchemas,
  memo,
  readBaseShape,
  submittableCreateBaseShape,
} from './runtime.js'
export { isRequiredOnCreate } from './render.js'

/** Document types of every built-in doctype, as read (`Student`) and to create (`StudentCreate`). */
export type {
  AIEngagementLog,
  AIEngagementLogCreate,
  AcademicTerm,
  AcademicTermCreate,
  AcademicYear,
  AcademicYearCreate,
  AssessmentCriteria,
  AssessmentCriteriaCreate,
  AssessmentInsight,
  AssessmentInsightCreate,
  AssessmentPlan,
  AssessmentPlanCreate,
  AssessmentPlanCriteria,
  AssessmentPlanCriteriaCreate,
  AssessmentResult,
  AssessmentResultCreate,
  AssessmentResultDetail,
  AssessmentResultDetailCreate,
  Course,
  CourseAssessmentCriteria,
  CourseAssessmentCriteriaCreate,
  CourseCreate,
  CourseEnrollment,
  CourseEnrollmentCreate,
  CourseSchedule,
  CourseScheduleCreate,
  CourseTopic,
  CourseTopicCreate,
  GradingScale,
  GradingScaleCreate,
  GradingScaleInterval,
  GradingScaleIntervalCreate,
  Guardian,
  GuardianCreate,
  GuardianInterest,
  GuardianInterestCreate,
  GuardianStudent,
  GuardianStudentCreate,
  Instructor,
  InstructorCreate,
  InstructorLog,
  InstructorLogCreate,
  Program,
  ProgramCourse,
  ProgramCourseCreate,
  ProgramCreate,
  ProgramEnrollment,
  ProgramEnrollmentCourse,
  ProgramEnrollmentCourseCreate,
  ProgramEnrollmentCreate,
  ProgramEnrollmentFee,
  ProgramEnrollmentFeeCreate,
  ProgramFee,
  ProgramFeeCreate,
  Room,
  RoomCreate,
  Student,
  StudentAttendance,
  StudentAttendanceCreate,
  StudentBatchName,
  StudentBatchNameCreate,
  StudentCreate,
  StudentGroup,
  StudentGroupCreate,
  StudentGroupInstructor,
  StudentGroupInstructorCreate,
  StudentGroupStudent,
  StudentGroupStudentCreate,
  StudentGuardian,
  StudentGuardianCreate,
  StudentLog,
  StudentLogCreate,
  StudentSibling,
  StudentSiblingCreate,
  Topic,
  TopicContent,
  TopicContentCreate,
  TopicCreate,
  GeneratedCreateDocTypeMap,
  GeneratedDocTypeMap,
  GeneratedDocTypeName,
} from './doctypes.generated.js'
/** Names of every doctype this package knows (Education doctypes, child tables, AI doctypes), sorted. */
export { generatedDocTypeNames } from './doctypes.generated.js'
export type { WallClock } from './frappe-time.js'
export {
  formatFrappeDate,
  formatFrappeDatetime,
  formatFrappeTimestamp,
  isTimeZone,
  wallClock,
} from './frappe-time.js'
