import type { Enhancement, Enhancer, EnhancerContext, EnhancerMirror } from '@edusync/sync-core'
import {
  type AnalyticsIndex,
  INDEXED_DOCTYPES,
  type IndexedResult,
  createAnalyticsIndex,
} from './analytics-index.js'
import {
  type AttendanceAnalysis,
  type AttendanceThresholds,
  type ResolvedAttendanceThresholds,
  analyzeAttendance,
  resolveAttendanceThresholds,
} from './attendance.js'
import {
  type CriteriaOptions,
  type ResolvedCriteriaOptions,
  analyzeCriteria,
  assessmentInsightDocument,
  resolveCriteriaOptions,
} from './criteria.js'
import {
  type DifficultyOptions,
  type ResolvedDifficultyOptions,
  courseDifficultyProfile,
  distribution,
  resolveDifficultyOptions,
} from './difficulty.js'
import { isFrappeDate, isTimeZone, toText } from './frappe.js'
import { type ConflictWithSuggestions, instructorMetrics } from './instructor.js'
import { objectOption } from './options.js'
import { toResultRecord } from './results.js'
import {
  type FreeSlotOptions,
  type ResolvedFreeSlotOptions,
  type ScheduleRecord,
  resolveFreeSlotOptions,
  resourceOf,
  suggestFreeSlots,
} from './schedule.js'
import {
  type ResolvedScoreTrendOptions,
  type ScoreTrend,
  type ScoreTrendOptions,
  analyzeScoreTrend,
  resolveScoreTrendOptions,
} from './trend.js'

/** Options shared by the education enhancers. */
export interface EducationEnhancerOptions {
  /** The related-document index the enhancers share. @default a new createAnalyticsIndex() */
  readonly index?: AnalyticsIndex
  /** The clock, for `generated_timestamp`. @default Date.now */
  readonly now?: () => number
  /** The ERPNext site's time zone (System Settings `time_zone`), for Datetime values. @default 'UTC' */
  readonly timeZone?: string
  /** Early-warning thresholds. @default see {@link AttendanceThresholds} */
  readonly attendance?: AttendanceThresholds
  /** Score-trend settings. @default see {@link ScoreTrendOptions} */
  readonly trend?: ScoreTrendOptions
  /** Learning-gap settings. @default see {@link CriteriaOptions} */
  readonly criteria?: CriteriaOptions
  /** Course difficulty settings. @default see {@link DifficultyOptions} */
  readonly difficulty?: DifficultyOptions
  /** Free-slot suggestions for schedule conflicts. @default see {@link FreeSlotOptions} */
  readonly schedule?: FreeSlotOptions
  /** The AI doctype insights are inserted as (configured with an `idempotencyField`). @default 'Assessment Insight' */
  readonly insightDoctype?: string
  /** At most this many schedule conflicts are written into an Instructor's metrics. @default 25 */
  readonly maxConflicts?: number
}

/** {@link EducationEnhancerOptions}, validated, defaulted and frozen. */
export interface ResolvedEnhancerOptions {
  readonly index: AnalyticsIndex
  readonly now: () => number
  readonly timeZone: string
  readonly attendance: ResolvedAttendanceThresholds
  readonly trend: ResolvedScoreTrendOptions
  readonly criteria: ResolvedCriteriaOptions
  readonly difficulty: ResolvedDifficultyOptions
  readonly schedule: ResolvedFreeSlotOptions
  readonly insightDoctype: string
  readonly maxConflicts: number
}

const WHERE = '[@edusync/reference-runner] education enhancers:'
const RESOLVED = new WeakSet<object>()

/** Validate the options once (TypeError/RangeError naming the option) and freeze them. */
export function resolveEnhancerOptions(
  options: EducationEnhancerOptions | ResolvedEnhancerOptions = {},
): ResolvedEnhancerOptions {
  if (RESOLVED.has(options as ResolvedEnhancerOptions)) return options as ResolvedEnhancerOptions
  objectOption('education enhancers', 'options', options)
  const o = options as EducationEnhancerOptions
  if (o.index !== undefined && (typeof o.index !== 'object' || typeof o.index?.observe !== 'function'))
    throw new TypeError(`${WHERE} "index" must come from createAnalyticsIndex().`)
  if (o.now !== undefined && typeof o.now !== 'function')
    throw new TypeError(`${WHERE} "now" must be a function returning epoch milliseconds.`)
  if (o.timeZone !== undefined && !isTimeZone(o.timeZone))
    throw new RangeError(
      `${WHERE} "timeZone" must be an IANA time zone such as "Europe/Berlin", got ${String(o.timeZone)}.`,
    )
  if (o.insightDoctype !== undefined && (typeof o.insightDoctype !== 'string' || o.insightDoctype === ''))
    throw new TypeError(`${WHERE} "insightDoctype" must be a doctype name.`)
  if (
    o.maxConflicts !== undefined &&
    (typeof o.maxConflicts !== 'number' || !Number.isInteger(o.maxConflicts) || o.maxConflicts < 0)
  )
    throw new RangeError(
      `${WHERE} "maxConflicts" must be a non-negative integer, got ${String(o.maxConflicts)}.`,
    )
  const resolved: ResolvedEnhancerOptions = Object.freeze({
    index: o.index ?? createAnalyticsIndex(),
    now: o.now ?? Date.now,
    timeZone: o.timeZone ?? 'UTC',
    attendance: resolveAttendanceThresholds(o.attendance),
    trend: resolveScoreTrendOptions(o.trend),
    criteria: resolveCriteriaOptions(o.criteria),
    difficulty: resolveDifficultyOptions(o.difficulty),
    schedule: resolveFreeSlotOptions(o.schedule),
    insightDoctype: o.insightDoctype ?? 'Assessment Insight',
    maxConflicts: o.maxConflicts ?? 25,
  })
  RESOLVED.add(resolved)
  return resolved
}

async function ensurePlanDate(
  index: AnalyticsIndex,
  mirror: EnhancerMirror,
  plan: string | null,
): Promise<void> {
  if (!plan || index.hasPlanDate(plan)) return
  const doc = await mirror.get('Assessment Plan', plan)
  // Not mirrored (yet): ask again next time rather than remembering "no date".
  if (doc) index.setPlanDate(plan, isFrappeDate(doc.schedule_date) ? doc.schedule_date : null)
}

function observe(index: AnalyticsIndex, ctx: EnhancerContext): void {
  // A cancelled document (when the view policy keeps `docstatus`) no longer counts.
  if (ctx.view.docstatus === 2) index.remove(ctx.doctype, ctx.name)
  else index.observe(ctx.doctype, ctx.name, ctx.view)
}

/**
 * Keeps the {@link AnalyticsIndex} current: every Student Attendance, Assessment Result, Course Schedule
 * and Assessment Plan the engine syncs is indexed (its privacy-filtered view). Writes nothing. Register it
 * before the other enhancers.
 */
export function createIndexingEnhancer(
  options?: EducationEnhancerOptions | ResolvedEnhancerOptions,
): Enhancer {
  const o = resolveEnhancerOptions(options)
  return Object.freeze({
    name: 'edusync.index',
    doctypes: INDEXED_DOCTYPES,
    async enhance(ctx: EnhancerContext) {
      observe(o.index, ctx)
      if (ctx.doctype === 'Assessment Result')
        await ensurePlanDate(o.index, ctx.mirror, toText(ctx.view.assessment_plan) ?? null)
      return undefined
    },
  })
}

/**
 * Assessment Result → one Assessment Insight per result version: criterion-level analysis, learning gaps
 * (against the target, the student's own overall score and the class average of the same plan) and
 * improvement suggestions. Idempotency key: `assessment-insight:<result>:<modified>`.
 */
export function createAssessmentInsightEnhancer(
  options?: EducationEnhancerOptions | ResolvedEnhancerOptions,
): Enhancer {
  const o = resolveEnhancerOptions(options)
  return Object.freeze({
    name: 'edusync.assessment-insights',
    doctypes: Object.freeze(['Assessment Result']),
    enhance(ctx: EnhancerContext): Enhancement | undefined {
      observe(o.index, ctx)
      if (ctx.view.docstatus === 2) return undefined
      const result = toResultRecord(ctx.view)
      if (!result || result.details.length === 0) return undefined
      const averages = result.assessmentPlan
        ? o.index.classAverages(result.assessmentPlan, ctx.name)
        : new Map<string, never>()
      const analysis = analyzeCriteria(result, averages, o.criteria)
      return {
        documents: [
          assessmentInsightDocument({
            resultName: ctx.name,
            modified: ctx.modified,
            analysis,
            generatedAt: o.now(),
            timeZone: o.timeZone,
            doctype: o.insightDoctype,
          }),
        ],
      }
    },
  })
}

function trendOf(results: readonly IndexedResult[], o: ResolvedEnhancerOptions): ScoreTrend {
  return analyzeScoreTrend(
    results.map((r) => ({ date: r.date, percent: r.percent, key: r.name })),
    o.trend,
  )
}

function attendanceSummary(a: AttendanceAnalysis) {
  return {
    rate: a.rate,
    recentRate: a.recentRate,
    present: a.present,
    absent: a.absent,
    leave: a.leave,
    schoolDays: a.schoolDays,
    currentAbsenceStreak: a.currentAbsenceStreak,
    longestAbsenceStreak: a.longestAbsenceStreak,
    lastDate: a.lastDate,
  }
}

function byCourse(results: readonly IndexedResult[]): Map<string, IndexedResult[]> {
  const out = new Map<string, IndexedResult[]>()
  for (const r of results) {
    if (!r.course) continue
    let l = out.get(r.course)
    if (!l) out.set(r.course, (l = []))
    l.push(r)
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
}

/**
 * Student → `ai_performance_insights`: the score trend (least squares over the student's results ordered
 * by assessment date) with a predicted next score, confidence and explanation, per-course trends, and the
 * attendance early warning (rate, absence streaks, level and reasons). Carries no timestamp, so an
 * unchanged picture is not written back again.
 */
export function createStudentInsightsEnhancer(
  options?: EducationEnhancerOptions | ResolvedEnhancerOptions,
): Enhancer {
  const o = resolveEnhancerOptions(options)
  return Object.freeze({
    name: 'edusync.student-insights',
    doctypes: Object.freeze(['Student']),
    enhance(ctx: EnhancerContext): Enhancement | undefined {
      const student = toText(ctx.view.name)
      if (!student) return undefined
      const attendance = o.index.attendanceOf(student)
      const results = o.index.resultsOfStudent(student)
      if (attendance.length === 0 && results.length === 0) return undefined
      const a = analyzeAttendance(attendance, o.attendance)
      const trend = trendOf(results, o)
      return {
        fields: {
          ai_performance_insights: {
            version: 1,
            ...trend,
            courses: [...byCourse(results)].map(([course, rs]) => {
              const t = trendOf(rs, o)
              return {
                course,
                trend: t.trend,
                slope: t.slope,
                predictedNextScore: t.predictedNextScore,
                confidence: t.confidence,
                results: t.results,
                averageScore: t.averageScore,
              }
            }),
            earlyWarning: { level: a.level, reasons: a.reasons },
            attendance: attendanceSummary(a),
          },
        },
      }
    },
  })
}

/** One entry of Program Enrollment `ai_intervention_history` written by the AI layer. */
export interface InterventionEntry {
  /** Stable per episode, so re-computation updates rather than duplicates. */
  readonly id: string
  readonly source: 'edusync'
  readonly type: 'absence_streak' | 'low_attendance' | 'declining_scores'
  readonly level: 'watch' | 'warning' | 'critical'
  /** The date the episode started (or was observed). */
  readonly since: string | null
  readonly detail: string
  readonly suggestedAction: string
}

function parseJsonList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value)
      return Array.isArray(parsed) ? parsed : []
    } catch {
      return []
    }
  }
  return []
}

const ACTIONS: Record<InterventionEntry['type'], string> = {
  absence_streak: 'Contact the family and agree a return-to-school plan.',
  low_attendance: 'Review attendance with the student and their tutor; set a weekly attendance goal.',
  declining_scores: 'Arrange a learning check-in and targeted support in the weakest course.',
}

/**
 * The interventions the analytics suggest for one enrolment, merged into the existing history: entries
 * written by people (without `source: 'edusync'`) are kept as they are, ours are replaced by `id`.
 */
export function interventionHistory(
  existing: unknown,
  attendance: AttendanceAnalysis,
  trend: ScoreTrend,
  lastResultDate: string | null,
  thresholds: ResolvedAttendanceThresholds,
): unknown[] {
  const ours: InterventionEntry[] = []
  for (const s of attendance.streaks)
    ours.push({
      id: `absence_streak:${s.from}`,
      source: 'edusync',
      type: 'absence_streak',
      level: s.days >= thresholds.criticalStreak ? 'critical' : 'warning',
      since: s.from,
      detail: `Absent ${s.days} consecutive school days (${s.from} to ${s.to}).`,
      suggestedAction: ACTIONS.absence_streak,
    })
  const low = attendance.reasons.find((r) => r.code === 'low_rate' && r.level !== 'watch')
  if (low && (low.level === 'warning' || low.level === 'critical'))
    ours.push({
      id: 'low_attendance',
      source: 'edusync',
      type: 'low_attendance',
      level: low.level,
      since: attendance.lastDate,
      detail: low.message,
      suggestedAction: ACTIONS.low_attendance,
    })
  if (trend.trend === 'declining')
    ours.push({
      id: 'declining_scores',
      source: 'edusync',
      type: 'declining_scores',
      level: trend.predictedNextScore !== null && trend.predictedNextScore < 50 ? 'warning' : 'watch',
      since: lastResultDate,
      detail: trend.explanation,
      suggestedAction: ACTIONS.declining_scores,
    })
  const people = parseJsonList(existing).filter(
    (e) => !(typeof e === 'object' && e !== null && (e as { source?: unknown }).source === 'edusync'),
  )
  return [...people, ...ours]
}

/**
 * Program Enrollment → `ai_progress_tracking` (attendance, results of the enrolment's program and academic
 * year, trend, per-course averages) and `ai_intervention_history` (early warnings as intervention entries,
 * merged with what people recorded there).
 */
export function createProgramProgressEnhancer(
  options?: EducationEnhancerOptions | ResolvedEnhancerOptions,
): Enhancer {
  const o = resolveEnhancerOptions(options)
  return Object.freeze({
    name: 'edusync.program-progress',
    doctypes: Object.freeze(['Program Enrollment']),
    enhance(ctx: EnhancerContext): Enhancement | undefined {
      const student = toText(ctx.view.student)
      if (!student) return undefined
      const program = toText(ctx.view.program) ?? null
      const year = toText(ctx.view.academic_year) ?? null
      const results = o.index
        .resultsOfStudent(student)
        .filter(
          (r) =>
            (program === null || r.program === null || r.program === program) &&
            (year === null || r.academicYear === null || r.academicYear === year),
        )
      const attendance = o.index.attendanceOf(student)
      if (results.length === 0 && attendance.length === 0) return undefined
      const a = analyzeAttendance(attendance, o.attendance)
      const trend = trendOf(results, o)
      let lastResultDate: string | null = null
      for (const r of results)
        if (r.date !== null && (lastResultDate === null || r.date > lastResultDate)) lastResultDate = r.date
      return {
        fields: {
          ai_progress_tracking: {
            version: 1,
            program,
            academicYear: year,
            attendance: { ...attendanceSummary(a), level: a.level },
            results: distribution(
              results.map((r) => r.percent),
              o.difficulty.passPercent,
            ),
            trend: {
              trend: trend.trend,
              slope: trend.slope,
              predictedNextScore: trend.predictedNextScore,
              confidence: trend.confidence,
              explanation: trend.explanation,
            },
            courses: [...byCourse(results)].map(([course, rs]) => ({
              course,
              ...distribution(
                rs.map((r) => r.percent),
                o.difficulty.passPercent,
              ),
            })),
          },
          ai_intervention_history: interventionHistory(
            ctx.view.ai_intervention_history,
            a,
            trend,
            lastResultDate,
            o.attendance,
          ),
        },
      }
    },
  })
}

/** Course → `ai_difficulty_profile` from the distribution of the course's results. */
export function createCourseDifficultyEnhancer(
  options?: EducationEnhancerOptions | ResolvedEnhancerOptions,
): Enhancer {
  const o = resolveEnhancerOptions(options)
  return Object.freeze({
    name: 'edusync.course-difficulty',
    doctypes: Object.freeze(['Course']),
    enhance(ctx: EnhancerContext): Enhancement | undefined {
      // A Course's name is its course_name (not personal data); results link to it by that name.
      const results = o.index.resultsOfCourse(ctx.name)
      if (results.length === 0) return undefined
      return { fields: { ai_difficulty_profile: courseDifficultyProfile(results, o.difficulty) } }
    },
  })
}

function suggestionsFor(o: ResolvedEnhancerOptions, moving: ScheduleRecord | undefined) {
  if (!moving) return []
  const busy: ScheduleRecord[] = []
  for (const kind of ['instructor', 'room', 'student_group'] as const) {
    const r = resourceOf(moving, kind)
    if (r === null) continue
    for (const s of o.index.schedulesUsing(kind, r, moving.date)) if (s.name !== moving.name) busy.push(s)
  }
  return suggestFreeSlots(moving.date, moving.to - moving.from, busy, o.schedule)
}

/**
 * Instructor → `ai_performance_metrics`: sessions and hours, courses and groups taught, result
 * distributions of those classes, the attendance rate of their sessions, and the Course Schedule
 * conflicts (instructor, room or group double-booked) that involve them, each with free slots on the same
 * day to move the later class to.
 */
export function createInstructorMetricsEnhancer(
  options?: EducationEnhancerOptions | ResolvedEnhancerOptions,
): Enhancer {
  const o = resolveEnhancerOptions(options)
  return Object.freeze({
    name: 'edusync.instructor-metrics',
    doctypes: Object.freeze(['Instructor']),
    enhance(ctx: EnhancerContext): Enhancement | undefined {
      const instructor = toText(ctx.view.name)
      if (!instructor) return undefined
      const schedules = o.index.schedulesOfInstructor(instructor)
      if (schedules.length === 0) return undefined
      const pairs = new Set<string>()
      const results: IndexedResult[] = []
      for (const s of schedules) {
        if (!s.studentGroup || !s.course) continue
        const key = `${s.studentGroup}\u0000${s.course}`
        if (pairs.has(key)) continue
        pairs.add(key)
        results.push(...o.index.resultsOfGroupCourse(s.studentGroup, s.course))
      }
      const byName = new Map(schedules.map((s) => [s.name, s]))
      const conflicts: ConflictWithSuggestions[] = o.index
        .conflictsOf(byName.keys())
        .slice(0, o.maxConflicts)
        .map((c) => {
          // Move the later class; when it is not ours, look it up among the schedules it shares.
          const moving =
            byName.get(c.second) ??
            o.index.schedulesUsing(c.kind, c.resource, c.date).find((s) => s.name === c.second)
          return {
            kind: c.kind,
            ...(c.kind === 'instructor' ? {} : { resource: c.resource }),
            date: c.date,
            first: c.first,
            second: c.second,
            overlapFrom: c.overlapFrom,
            overlapTo: c.overlapTo,
            suggestions: suggestionsFor(o, moving),
          }
        })
      return {
        fields: {
          ai_performance_metrics: instructorMetrics({
            schedules,
            results,
            sessionCounts: (name) => o.index.sessionCounts(name),
            conflicts,
            passPercent: o.difficulty.passPercent,
          }),
        },
      }
    },
  })
}

/** The enhancers of {@link createEducationEnhancers}, sharing one index and one set of options. */
export interface EducationEnhancers {
  readonly index: AnalyticsIndex
  readonly options: ResolvedEnhancerOptions
  /** In registration order: the indexing enhancer first. */
  readonly enhancers: readonly Enhancer[]
}

/**
 * All the education enhancers, sharing one {@link AnalyticsIndex}: indexing, assessment insights, student
 * insights, program progress, course difficulty and instructor metrics.
 *
 * @example
 * ```ts
 * const ai = createEducationEnhancers({ timeZone: 'Europe/Berlin', attendance: { warningStreak: 2 } })
 * createSyncEngine({ ..., enhancers: ai.enhancers })
 * ```
 */
export function createEducationEnhancers(options?: EducationEnhancerOptions): EducationEnhancers {
  const o = resolveEnhancerOptions(options)
  return Object.freeze({
    index: o.index,
    options: o,
    enhancers: Object.freeze([
      createIndexingEnhancer(o),
      createAssessmentInsightEnhancer(o),
      createStudentInsightsEnhancer(o),
      createProgramProgressEnhancer(o),
      createCourseDifficultyEnhancer(o),
      createInstructorMetricsEnhancer(o),
    ]),
  })
}

/**
 * The runner's default AI layer (what `loadEnhancers()` registers): {@link createEducationEnhancers}'
 * list.
 */
export function createDefaultEnhancers(options?: EducationEnhancerOptions): Enhancer[] {
  return [...createEducationEnhancers(options).enhancers]
}
