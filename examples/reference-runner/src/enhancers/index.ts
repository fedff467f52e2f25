/**
 * The reference runner's AI layer: deterministic education analytics (no external model needed) as
 * `@edusync/sync-core` enhancers, the pure functions behind them, and a plug for a language model.
 * @module
 */

export { createAnalyticsIndex, INDEXED_DOCTYPES } from './analytics-index.js'
export type { AnalyticsIndex, IndexedAttendance, IndexedResult, SessionCounts } from './analytics-index.js'
export { analyzeAttendance, resolveAttendanceThresholds, toAttendanceRecord } from './attendance.js'
export type {
  AbsenceStreak,
  AttendanceAnalysis,
  AttendanceRecord,
  AttendanceStatus,
  AttendanceThresholds,
  ResolvedAttendanceThresholds,
  WarningLevel,
  WarningReason,
} from './attendance.js'
export { analyzeCriteria, assessmentInsightDocument, resolveCriteriaOptions } from './criteria.js'
export type {
  AssessmentInsightDocument,
  ClassAverage,
  CriteriaAnalysis,
  CriteriaOptions,
  CriterionAnalysis,
  ImprovementSuggestion,
  LearningGap,
  ResolvedCriteriaOptions,
} from './criteria.js'
export { courseDifficultyProfile, distribution, resolveDifficultyOptions } from './difficulty.js'
export type {
  DifficultyOptions,
  DifficultyProfile,
  Distribution,
  ResolvedDifficultyOptions,
} from './difficulty.js'
export {
  createAssessmentInsightEnhancer,
  createCourseDifficultyEnhancer,
  createDefaultEnhancers,
  createEducationEnhancers,
  createIndexingEnhancer,
  createInstructorMetricsEnhancer,
  createProgramProgressEnhancer,
  createStudentInsightsEnhancer,
  interventionHistory,
  resolveEnhancerOptions,
} from './enhancers.js'
export type {
  EducationEnhancerOptions,
  EducationEnhancers,
  InterventionEntry,
  ResolvedEnhancerOptions,
} from './enhancers.js'
export {
  EnhancersError,
  LanguageModelError,
  LanguageModelResponseError,
  isEnhancersError,
  isLanguageModelError,
  isLanguageModelResponseError,
} from './errors.js'
export type { EnhancersErrorCode } from './errors.js'
export {
  formatFrappeDatetime,
  formatFrappeTime,
  idempotencyKey,
  isFrappeDate,
  parseFrappeTime,
} from './frappe.js'
export { instructorMetrics } from './instructor.js'
export type { ConflictWithSuggestions, InstructorMetrics, InstructorMetricsInput } from './instructor.js'
export {
  createLanguageModelEnhancer,
  defaultLearningProfilePrompt,
  learningProfileFacts,
  parseLearningProfileAnswer,
} from './language-model.js'
export type {
  LanguageModel,
  LanguageModelEnhancerOptions,
  LearningProfileAnswer,
  LearningProfileFacts,
} from './language-model.js'
export { replayMirror } from './replay.js'
export type { MirrorSource, ReplayMirrorOptions } from './replay.js'
export { criterionScores, toResultRecord } from './results.js'
export type { CriterionScore, ResultRecord } from './results.js'
export {
  findScheduleConflicts,
  resolveFreeSlotOptions,
  suggestFreeSlots,
  toScheduleRecord,
} from './schedule.js'
export type {
  FreeSlot,
  FreeSlotOptions,
  ResolvedFreeSlotOptions,
  ResourceKind,
  ScheduleConflict,
  ScheduleRecord,
} from './schedule.js'
export { histogram, linearFit, round, summarize } from './stats.js'
export type { HistogramBin, LinearFit, Summary } from './stats.js'
export { analyzeScoreTrend, resolveScoreTrendOptions } from './trend.js'
export type { DatedScore, ResolvedScoreTrendOptions, ScoreTrend, ScoreTrendOptions } from './trend.js'
