/**
 * The default rule set of the EduSync design.
 *
 * @module
 */

import { merge } from './merge.js'
import { defineRules, type RuleInput, type RuleSet } from './rules.js'
import { aiWins, erpnextWins } from './strategy.js'

/**
 * How the default rules merge `ai_engagement_metrics` and `learning_preferences`: objects key by key,
 * arrays as sets, numbers both sides changed take the larger value.
 */
export const engagementMerge = merge({ numbers: 'max', arrays: 'set' })

const RULES: readonly RuleInput[] = [
  {
    id: 'student-name',
    field: 'student_name',
    strategy: erpnextWins,
    description: 'Names come from the system of record.',
  },
  {
    id: 'student-email',
    field: 'student_email_id',
    strategy: erpnextWins,
    description: 'The student email is unique in ERPNext and backs a User; ERPNext decides.',
  },
  {
    id: 'guardian-contact',
    doctype: 'Guardian',
    field: 'email_address',
    strategy: erpnextWins,
    description: 'Guardian contact data is maintained in ERPNext.',
  },
  { id: 'guardian-mobile', doctype: 'Guardian', field: 'mobile_number', strategy: erpnextWins },
  { id: 'guardian-alternate', doctype: 'Guardian', field: 'alternate_number', strategy: erpnextWins },
  {
    id: 'student-guardians',
    doctype: 'Student',
    field: 'guardians',
    strategy: erpnextWins,
    description: "A student's guardians table (who to contact, and how they relate) is ERPNext's.",
  },
  {
    id: 'grades',
    doctype: ['Assessment Result', 'Assessment Result Detail'],
    field: '*',
    strategy: erpnextWins,
    description: 'Grades and assessment results are official records.',
  },
  {
    id: 'attendance',
    doctype: 'Student Attendance',
    field: '*',
    strategy: erpnextWins,
    description: 'Attendance is an official record.',
  },
  {
    id: 'ai-learning-profile',
    field: 'ai_learning_profile',
    strategy: aiWins,
    description: 'The AI layer computes learning profiles.',
  },
  {
    id: 'ai-performance-insights',
    field: 'ai_performance_insights',
    strategy: aiWins,
    description: 'The AI layer computes performance insights.',
  },
  {
    id: 'ai-fields',
    field: 'ai_*',
    strategy: aiWins,
    description: 'Other AI custom fields are written by the AI layer.',
  },
  {
    id: 'ai-engagement-metrics',
    field: 'ai_engagement_metrics',
    strategy: engagementMerge,
    description: 'Engagement metrics are gathered on both sides and merged.',
  },
  {
    id: 'learning-preferences',
    field: 'learning_preferences',
    strategy: engagementMerge,
    description: 'Preferences set by staff and by the student are merged.',
  },
]

/**
 * The default rules from the EduSync design: `student_name`, `student_email_id`, guardian contact data
 * (Guardian `email_address`/`mobile_number`/`alternate_number`, Student `guardians`), grades
 * (Assessment Result) and attendance (Student Attendance) → `erpnext_wins`; `ai_learning_profile`,
 * `ai_performance_insights` and every other `ai_*` field → `ai_wins`; `ai_engagement_metrics` and
 * `learning_preferences` → `merge`; anything unclassified → `manual_review`.
 *
 * Extend it rather than copying it: `defaultEducationRules.extend([...])` adds your rules as a layer
 * that overrides equally specific defaults.
 */
export const defaultEducationRules: RuleSet = defineRules(RULES, { fallback: 'manual_review' })
