/**
 * Benchmark of the education enhancers (a script, not a test):
 *   cd examples/reference-runner && pnpm exec tsx test/enhancers/bench/enhancers.ts
 *
 * Builds a synthetic school of privacy-filtered views (students × 40 school days of attendance, 6 results
 * each, a timetable), indexes it through the indexing enhancer and times each enhancer per document. The
 * second part compares the per-result cost of Assessment Insights in classes of 30 and of 300: with the
 * running class sums the ratio stays near 1 (no O(n²) over a class).
 */
import { performance } from 'node:perf_hooks'
import type { EnhancerContext, ErpDoc } from '@edusync/sync-core'
import {
  createEducationEnhancers,
  findScheduleConflicts,
  toScheduleRecord,
} from '../../../src/enhancers/index.js'

const signal = new AbortController().signal
const plans = new Map<string, ErpDoc>()
const mirror = { get: async (d: string, n: string) => (d === 'Assessment Plan' ? plans.get(n) : undefined) }
const ctx = (doctype: string, name: string, view: ErpDoc): EnhancerContext => ({
  doctype,
  name,
  modified: '2024-03-20 10:15:00.000001',
  view,
  mirror,
  signal,
})

function day(i: number): string {
  const d = new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 5) * 7 + (i % 5)))
  return d.toISOString().slice(0, 10)
}

let seed = 42
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}

async function school(students: number, classSize: number) {
  const ai = createEducationEnhancers({ now: () => Date.UTC(2024, 2, 20) })
  const [indexer, insight, student, , course, instructor] = ai.enhancers
  const groups = Math.ceil(students / classSize)
  const t0 = performance.now()
  let docs = 0
  for (let s = 0; s < students; s++) {
    const psn = `psn_v1_${String(s).padStart(40, '0')}`
    const group = `G${Math.floor(s / classSize)}`
    for (let d = 0; d < 40; d++) {
      await indexer!.enhance(
        ctx('Student Attendance', `ATT-${s}-${d}`, {
          student: psn,
          date: day(d),
          status: rand() < 0.9 ? 'Present' : 'Absent',
          student_group: group,
        }),
      )
      docs++
    }
  }
  for (let g = 0; g < groups; g++)
    for (let p = 0; p < 6; p++) plans.set(`ASP-${g}-${p}`, { schedule_date: day(p * 6) })
  const results: [string, ErpDoc][] = []
  for (let s = 0; s < students; s++) {
    const g = Math.floor(s / classSize)
    for (let p = 0; p < 6; p++) {
      const w = Math.round(rand() * 60)
      const c = Math.round(rand() * 40)
      results.push([
        `RES-${s}-${p}`,
        {
          student: `psn_v1_${String(s).padStart(40, '0')}`,
          assessment_plan: `ASP-${g}-${p}`,
          course: `Course ${p % 3}`,
          student_group: `G${g}`,
          program: 'P',
          maximum_score: 100,
          total_score: w + c,
          details: [
            { assessment_criteria: 'Written Exam', maximum_score: 60, score: w },
            { assessment_criteria: 'Coursework', maximum_score: 40, score: c },
          ],
        },
      ])
    }
  }
  for (const [name, view] of results) {
    await indexer!.enhance(ctx('Assessment Result', name, view))
    docs++
  }
  const schedules: [string, ErpDoc][] = []
  for (let g = 0; g < groups; g++)
    for (let d = 0; d < 20; d++)
      for (let p = 0; p < 6; p++)
        schedules.push([
          `CSH-${g}-${d}-${p}`,
          {
            instructor: `psn_v1_ins${(g + p) % groups}`,
            room: `R${g}`,
            student_group: `G${g}`,
            course: `Course ${p % 3}`,
            schedule_date: day(d),
            from_time: `${8 + p}:00:00`,
            to_time: `${9 + p}:00:00`,
          },
        ])
  for (const [name, view] of schedules) {
    await indexer!.enhance(ctx('Course Schedule', name, view))
    docs++
  }
  const indexMs = performance.now() - t0
  return {
    ai,
    insight: insight!,
    student: student!,
    course: course!,
    instructor: instructor!,
    results,
    schedules,
    groups,
    docs,
    indexMs,
  }
}

async function time(label: string, n: number, fn: (i: number) => unknown): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn(i)
  const us = ((performance.now() - t0) * 1000) / n
  console.log(`${label.padEnd(44)} ${String(n).padStart(6)} docs  ${us.toFixed(1).padStart(8)} µs/doc`)
  return us
}

const s = await school(2000, 30)
console.log(
  `indexed ${s.docs} documents in ${s.indexMs.toFixed(0)} ms (${((s.indexMs * 1000) / s.docs).toFixed(1)} µs/doc)`,
)
await time('student insights (Student)', 2000, (i) =>
  s.student.enhance(ctx('Student', `S${i}`, { name: `psn_v1_${String(i).padStart(40, '0')}` })),
)
await time('assessment insights (Assessment Result)', 2000, (i) => {
  const [name, view] = s.results[i]!
  return s.insight.enhance(ctx('Assessment Result', name, view))
})
await time('course difficulty (Course, 4000 results)', 3, (i) =>
  s.course.enhance(ctx('Course', `Course ${i}`, {})),
)
await time('instructor metrics (Instructor)', s.groups, (i) =>
  s.instructor.enhance(ctx('Instructor', `I${i}`, { name: `psn_v1_ins${i}` })),
)
const records = s.schedules.map(([n, v]) => toScheduleRecord(n, v)!)
const t0 = performance.now()
const conflicts = findScheduleConflicts(records)
console.log(
  `findScheduleConflicts over ${records.length} schedules: ${(performance.now() - t0).toFixed(1)} ms, ${conflicts.length} conflicts`,
)

// Class size 30 vs 300: per-result cost of an Assessment Insight.
const small = await school(600, 30)
const large = await school(600, 300)
const perSmall = await time('assessment insights, classes of 30', 3600, (i) => {
  const [name, view] = small.results[i]!
  return small.insight.enhance(ctx('Assessment Result', name, view))
})
const perLarge = await time('assessment insights, classes of 300', 3600, (i) => {
  const [name, view] = large.results[i]!
  return large.insight.enhance(ctx('Assessment Result', name, view))
})
console.log(`ratio class 300 / class 30: ${(perLarge / perSmall).toFixed(2)}`)
