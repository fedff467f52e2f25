/**
 * Seed datasets: a realistic, internally consistent school generated deterministically from a seed
 * (programs, courses, instructors, rooms, student groups, students with guardians, enrollments, course
 * schedules, attendance, assessment plans and results). Large tables are generated lazily, the first
 * time a request touches them.
 */
import type { Doc, Engine } from './engine.js'
import { EmulatorSeedError } from './errors.js'

/** Names of the built-in datasets. */
export type SeedName = 'empty' | 'school-small' | 'school-medium' | 'school-large'

/** Every dataset name, in size order. */
export const SEED_NAMES: readonly SeedName[] = ['empty', 'school-small', 'school-medium', 'school-large']

const STUDENTS: Record<SeedName, number> = {
  empty: 0,
  'school-small': 200,
  'school-medium': 2000,
  'school-large': 20000,
}
/** School days of attendance generated per student. */
const ATTENDANCE_DAYS: Record<SeedName, number> = {
  empty: 0,
  'school-small': 40,
  'school-medium': 50,
  'school-large': 50,
}

const FIRST = [
  'Amara',
  'Ben',
  'Chloé',
  'Dmitri',
  'Elena',
  'Farah',
  'Gabriel',
  'Hana',
  'Ivan',
  'Jules',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Oskar',
  'Priya',
  'Quentin',
  'Rosa',
  'Samir',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zoë',
  'Léa',
  'Jürgen',
  'Aoife',
  'Noah',
]
const LAST = [
  'Adeyemi',
  'Bauer',
  'Chen',
  'Dubois',
  'Eriksen',
  'Fischer',
  'García',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Müller',
  'Nakamura',
  'Okafor',
  'Patel',
  'Quinn',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Usman',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zimmermann',
]
const PROGRAMS: [string, string, string[]][] = [
  ['Grade 9', 'G9', ['Mathematics 9', 'English 9', 'Science 9']],
  ['Grade 10', 'G10', ['Mathematics 10', 'English 10', 'Biology 10']],
  ['Grade 11', 'G11', ['Mathematics 11', 'Literature 11', 'Chemistry 11']],
  ['Grade 12', 'G12', ['Mathematics 12', 'Literature 12', 'Physics 12']],
]
const CRITERIA = ['Written Exam', 'Coursework']
const BLOOD = ['A+', 'A-', 'B+', 'B-', 'O+', 'O-', 'AB+', 'AB-']
const GENDERS = ['Female', 'Male', 'Non-Binary']
const COLOURS = ['blue', 'green', 'red', 'orange', 'yellow', 'teal', 'violet', 'cyan']

/** `H:MM:SS` of minutes since midnight (Frappe's Time rendering). */
function clock(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:00`
}

function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function hashString(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return h >>> 0
}

const pad = (n: number) => String(n).padStart(2, '0')
function addDays(date: string, days: number): string {
  const t = new Date(`${date}T00:00:00Z`)
  t.setUTCDate(t.getUTCDate() + days)
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}
function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay()
}

/** Options of {@link seedSchool}. */
export interface SeedOptions {
  /** Number of students (overrides the dataset's default). */
  readonly size?: number | undefined
  readonly randomSeed: number
  readonly stamp: string
}

/** Load the core records every site has, then the named dataset. */
export function seedSchool(engine: Engine, name: SeedName, options: SeedOptions): void {
  if (!SEED_NAMES.includes(name))
    throw new EmulatorSeedError(`Unknown seed "${String(name)}"; use one of ${SEED_NAMES.join(', ')}.`)
  try {
    new SchoolSeeder(engine, name, options).run()
  } catch (error) {
    throw new EmulatorSeedError(
      `Seeding "${name}" failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  }
}

class SchoolSeeder {
  private readonly engine: Engine
  private readonly name: SeedName
  private readonly options: SeedOptions
  private readonly students: number

  constructor(engine: Engine, name: SeedName, options: SeedOptions) {
    this.engine = engine
    this.name = name
    this.options = options
    this.students = options.size ?? STUDENTS[name]
  }

  private rand(label: string): () => number {
    return rng((this.options.randomSeed * 2654435761) ^ hashString(label))
  }

  private readonly blanks = new Map<string, Doc>()

  private blank(doctype: string): Doc {
    let b = this.blanks.get(doctype)
    if (!b) {
      b = this.engine.blank(this.engine.meta(doctype))
      this.blanks.set(doctype, b)
    }
    return b
  }

  private readonly tables = new Map<string, readonly { fieldname: string; options?: string }[]>()
  private readonly prefixes = new Map<string, { prefix: string; width: number }>()

  private tableFields(doctype: string): readonly { fieldname: string; options?: string }[] {
    let t = this.tables.get(doctype)
    if (!t) {
      t = this.engine.meta(doctype).fields.filter((f) => f.fieldtype === 'Table')
      this.tables.set(doctype, t)
    }
    return t
  }

  /** Name from a dotted series whose counter is the last part (every seeded series): parsed once. */
  private seriesName(series: string, doc: Doc): string {
    const p = this.prefixes.get(series)
    if (!p) {
      const first = this.engine.makeSeriesName(undefined, series, doc)
      const m = /^(.*?)(\d+)$/.exec(first)!
      this.prefixes.set(series, { prefix: m[1]!, width: m[2]!.length })
      return first
    }
    const n = this.engine.seriesCurrent(p.prefix) + 1
    this.engine.setSeries(p.prefix, n)
    return p.prefix + String(n).padStart(p.width, '0')
  }

  private doc(doctype: string, data: Doc, name?: string): Doc {
    const e = this.engine
    const meta = e.meta(doctype)
    const now = e.now()
    const doc: Doc = {
      ...this.blank(doctype),
      ...data,
      owner: 'Administrator',
      modified_by: 'Administrator',
      creation: now,
      modified: now,
    }
    if (name !== undefined) doc.name = name
    else {
      const auto = meta.autoname ?? ''
      if (auto.startsWith('naming_series:')) {
        const series = String(
          data.naming_series ??
            meta.fields.find((f) => f.fieldname === 'naming_series')?.options?.split('\n')[0] ??
            '',
        )
        doc.naming_series = series
        doc.name = this.seriesName(series, doc)
      } else if (auto.startsWith('format:')) {
        doc.name = auto.slice(7).replace(/\{([^}]+)\}/g, (_m, token: string) => {
          if (/^#+$/.test(token)) return '{COUNTER}'
          return token === 'YYYY' ? e.today().slice(0, 4) : String(doc[token] ?? '')
        })
        const prefix = String(doc.name).split('{COUNTER}')[0] ?? ''
        const n = e.seriesCurrent(prefix) + 1
        e.setSeries(prefix, n)
        doc.name = String(doc.name).replace('{COUNTER}', String(n).padStart(5, '0'))
      } else if (auto.includes('#')) doc.name = this.seriesName(auto, doc)
      else doc.name = e.hash(10)
    }
    for (const f of this.tableFields(doctype)) {
      if (!Array.isArray(doc[f.fieldname])) continue
      const childMeta = e.meta(f.options ?? '')
      doc[f.fieldname] = (doc[f.fieldname] as Doc[]).map((row, i) => ({
        ...this.blank(childMeta.name),
        ...row,
        name: e.hash(10),
        owner: 'Administrator',
        modified_by: 'Administrator',
        creation: now,
        modified: now,
        parent: doc.name,
        parentfield: f.fieldname,
        parenttype: doctype,
        idx: i + 1,
        docstatus: doc.docstatus,
      }))
    }
    return doc
  }

  run(): void {
    const e = this.engine
    const load = (doctype: string, docs: Doc[]) => e.load(doctype, docs)
    load(
      'Gender',
      GENDERS.map((g) => this.doc('Gender', { gender: g }, g)),
    )
    load(
      'Country',
      ['Switzerland', 'Germany', 'India', 'Nigeria', 'United States'].map((c) =>
        this.doc('Country', { country_name: c }, c),
      ),
    )
    load(
      'Role',
      ['System Manager', 'Student', 'Instructor', 'Academics User'].map((r) =>
        this.doc('Role', { role_name: r }, r),
      ),
    )
    // The company's default holiday list (Student Attendance checks it); it lists no holidays, so that
    // attendance can be marked on any date until a test adds some.
    load('Holiday List', [
      this.doc(
        'Holiday List',
        { holiday_list_name: 'EduSync Academy Holidays', from_date: '2000-01-01', to_date: '2099-12-31' },
        'EduSync Academy Holidays',
      ),
    ])
    load('Company', [
      this.doc(
        'Company',
        { company_name: 'EduSync Academy', abbr: 'ESA', default_holiday_list: 'EduSync Academy Holidays' },
        'EduSync Academy',
      ),
    ])
    load(
      'Customer Group',
      ['All Customer Groups', 'Student', 'Individual'].map((g) =>
        this.doc('Customer Group', { customer_group_name: g }, g),
      ),
    )
    load(
      'Student Category',
      ['General', 'Scholarship'].map((c) => this.doc('Student Category', { category: c }, c)),
    )
    load('Assessment Group', [
      this.doc(
        'Assessment Group',
        { assessment_group_name: 'All Assessment Groups', is_group: 1 },
        'All Assessment Groups',
      ),
      this.doc(
        'Assessment Group',
        { assessment_group_name: 'Term Exams', parent_assessment_group: 'All Assessment Groups' },
        'Term Exams',
      ),
    ])
    if (this.name === 'empty' && this.options.size === undefined) return
    this.school()
  }

  private school(): void {
    const e = this.engine
    const r = this.rand('school')
    const today = e.today()
    const year = Number(today.slice(0, 4))
    const month = Number(today.slice(5, 7))
    const startYear = month >= 8 ? year : year - 1
    const ayName = `${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`
    const ayStart = `${startYear}-08-15`
    const ayEnd = `${startYear + 1}-06-30`
    e.load('Academic Year', [
      this.doc(
        'Academic Year',
        { academic_year_name: ayName, year_start_date: ayStart, year_end_date: ayEnd },
        ayName,
      ),
    ])
    const term1 = `${ayName} (Term 1)`
    const term2 = `${ayName} (Term 2)`
    e.load('Academic Term', [
      this.doc(
        'Academic Term',
        {
          academic_year: ayName,
          term_name: 'Term 1',
          term_start_date: ayStart,
          term_end_date: `${startYear}-12-20`,
          title: term1,
        },
        term1,
      ),
      this.doc(
        'Academic Term',
        {
          academic_year: ayName,
          term_name: 'Term 2',
          term_start_date: `${startYear + 1}-01-06`,
          term_end_date: ayEnd,
          title: term2,
        },
        term2,
      ),
    ])
    const currentTerm = today <= `${startYear}-12-31` ? term1 : term2
    const depts = ['Mathematics', 'Languages', 'Sciences'].map((d) =>
      this.doc('Department', { department_name: d, company: 'EduSync Academy' }, d),
    )
    e.load('Department', depts)
    e.load('Assessment Criteria Group', [
      this.doc('Assessment Criteria Group', { assessment_criteria_group: 'Standard' }, 'Standard'),
    ])
    e.load(
      'Assessment Criteria',
      CRITERIA.map((c) =>
        this.doc('Assessment Criteria', { assessment_criteria: c, assessment_criteria_group: 'Standard' }, c),
      ),
    )
    const scale = this.doc(
      'Grading Scale',
      {
        grading_scale_name: 'Standard Grading',
        docstatus: 1,
        intervals: [
          { grade_code: 'A', threshold: 85, grade_description: 'Excellent' },
          { grade_code: 'B', threshold: 70, grade_description: 'Good' },
          { grade_code: 'C', threshold: 55, grade_description: 'Satisfactory' },
          { grade_code: 'D', threshold: 40, grade_description: 'Pass' },
          { grade_code: 'F', threshold: 0, grade_description: 'Fail' },
        ],
      },
      'Standard Grading',
    )
    e.load('Grading Scale', [scale])
    const courseDept = (c: string) =>
      c.startsWith('Math') ? 'Mathematics' : /English|Literature/.test(c) ? 'Languages' : 'Sciences'
    const courses = PROGRAMS.flatMap(([, , cs]) => cs)
    e.load(
      'Course',
      courses.map((c) =>
        this.doc(
          'Course',
          {
            course_name: c,
            department: courseDept(c),
            default_grading_scale: 'Standard Grading',
            description: `${c}: core course.`,
            assessment_criteria: CRITERIA.map((cr, i) => ({
              assessment_criteria: cr,
              weightage: i === 0 ? 60 : 40,
            })),
          },
          c,
        ),
      ),
    )
    e.load(
      'Program',
      PROGRAMS.map(([p, abbr, cs]) =>
        this.doc(
          'Program',
          {
            program_name: p,
            program_abbreviation: abbr,
            department: 'Sciences',
            courses: cs.map((c) => ({ course: c, course_name: c, required: 1 })),
          },
          p,
        ),
      ),
    )
    e.load(
      'Student Batch Name',
      ['A', 'B', 'C', 'D'].map((b) => this.doc('Student Batch Name', { batch_name: b }, b)),
    )

    const groupSize = 25
    const groupCount = Math.max(1, Math.ceil(this.students / groupSize))
    const instructorCount = Math.max(4, Math.ceil(groupCount / 2))
    const employees: Doc[] = []
    const instructors: Doc[] = []
    for (let i = 0; i < instructorCount; i++) {
      const first = FIRST[Math.floor(r() * FIRST.length)]!
      const last = LAST[Math.floor(r() * LAST.length)]!
      const gender = GENDERS[Math.floor(r() * 2)]!
      const dept = ['Mathematics', 'Languages', 'Sciences'][i % 3]!
      const emp = this.doc('Employee', {
        naming_series: 'HR-EMP-',
        first_name: first,
        last_name: last,
        employee_name: `${first} ${last}`,
        gender,
        date_of_birth: `${1970 + Math.floor(r() * 25)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
        date_of_joining: `${2010 + Math.floor(r() * 12)}-08-01`,
        status: 'Active',
        company: 'EduSync Academy',
        department: dept,
      })
      employees.push(emp)
      instructors.push(
        this.doc('Instructor', {
          instructor_name: `${first} ${last}`,
          employee: emp.name,
          department: dept,
          gender,
          status: 'Active',
          naming_series: 'EDU-INS-.YYYY.-',
        }),
      )
    }
    e.load('Employee', employees)
    e.load('Instructor', instructors)
    const rooms: Doc[] = []
    // One room per group, so that course schedules of different groups never clash on a room.
    for (let i = 0; i < Math.max(4, groupCount); i++) {
      rooms.push(
        this.doc('Room', {
          room_name: `Room ${101 + i}`,
          room_number: String(101 + i),
          seating_capacity: '30',
        }),
      )
    }
    e.load('Room', rooms)

    // Students, guardians, program enrollments, groups.
    const students: Doc[] = []
    const guardians: Doc[] = []
    const enrollments: Doc[] = []
    const groups: Doc[] = []
    const groupMembers = new Map<string, Doc[]>()
    let groupIndex = 0
    for (let i = 0; i < this.students; i++) {
      const [program, abbr, cs] = PROGRAMS[i % PROGRAMS.length]!
      const first = FIRST[Math.floor(r() * FIRST.length)]!
      const last = LAST[Math.floor(r() * LAST.length)]!
      const age = 14 + (i % PROGRAMS.length)
      const dob = `${startYear - age}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`
      const guardianFirst = FIRST[Math.floor(r() * FIRST.length)]!
      const relation = r() < 0.5 ? 'Mother' : 'Father'
      const guardian = this.doc('Guardian', {
        guardian_name: `${guardianFirst} ${last}`,
        email_address: `guardian${i + 1}@families.example.org`,
        mobile_number: `+41 79 ${String(1000000 + i).slice(-7)}`,
        occupation: ['Engineer', 'Nurse', 'Teacher', 'Farmer', 'Designer'][i % 5],
      })
      const gender = GENDERS[Math.floor(r() * 3)]!
      const student = this.doc('Student', {
        enabled: 1,
        first_name: first,
        last_name: last,
        student_name: `${first} ${last}`,
        naming_series: 'EDU-STU-.YYYY.-',
        student_email_id: `${first
          .toLowerCase()
          .normalize('NFD')
          .replace(/[^a-z]/g, '')}.${last
          .toLowerCase()
          .normalize('NFD')
          .replace(/[^a-z]/g, '')}.${i + 1}@students.example.edu`,
        student_mobile_number: `+41 78 ${String(2000000 + i).slice(-7)}`,
        joining_date: ayStart,
        date_of_birth: dob,
        gender,
        blood_group: BLOOD[Math.floor(r() * BLOOD.length)],
        nationality: 'Swiss',
        city: 'Zürich',
        country: 'Switzerland',
        customer_group: 'Student',
        guardians: [{ guardian: guardian.name, guardian_name: guardian.guardian_name, relation }],
      })
      guardian.students = this.doc(
        'Guardian',
        { students: [{ student: student.name, student_name: student.student_name }] },
        String(guardian.name),
      ).students
      ;(guardian.students as Doc[]).forEach((row) => {
        row.parent = guardian.name
      })
      students.push(student)
      guardians.push(guardian)
      enrollments.push(
        this.doc('Program Enrollment', {
          student: student.name,
          student_name: student.student_name,
          program,
          academic_year: ayName,
          academic_term: currentTerm,
          enrollment_date: ayStart,
          student_category: 'General',
          student_batch_name: 'A',
          docstatus: 1,
          courses: cs.map((c) => ({ course: c, course_name: c })),
        }),
      )
      // One batch group per program section of up to 25 students.
      const section = Math.floor(i / (PROGRAMS.length * groupSize))
      const groupName = `${abbr}-${String.fromCharCode(65 + (section % 26))}${section >= 26 ? Math.floor(section / 26) : ''} ${ayName}`
      let members = groupMembers.get(groupName)
      if (!members) {
        members = []
        groupMembers.set(groupName, members)
        const instructor = instructors[groupIndex % instructors.length]!
        groupIndex++
        groups.push(
          this.doc(
            'Student Group',
            {
              academic_year: ayName,
              academic_term: currentTerm,
              group_based_on: 'Batch',
              student_group_name: groupName,
              program,
              batch: 'A',
              max_strength: groupSize,
              instructors: [{ instructor: instructor.name, instructor_name: instructor.instructor_name }],
            },
            groupName,
          ),
        )
      }
      members.push({
        student: student.name,
        student_name: student.student_name,
        group_roll_number: members.length + 1,
        active: 1,
      })
    }
    for (const g of groups) {
      const withRows = this.doc(
        'Student Group',
        { students: groupMembers.get(String(g.name)) ?? [] },
        String(g.name),
      )
      g.students = withRows.students
    }
    e.load('Guardian', guardians)
    e.load('Student', students)
    e.load('Program Enrollment', enrollments)
    e.load('Student Group', groups)
    const programOf = new Map(groups.map((g) => [String(g.name), String(g.program)]))
    const coursesOf = new Map(PROGRAMS.map(([p, , cs]) => [p, cs]))

    // Course schedules for the last 5 school days.
    const days: string[] = []
    for (let d = -1; days.length < ATTENDANCE_DAYS[this.name] + 5 && d > -400; d--) {
      const date = addDays(today, d)
      if (date < ayStart) break
      const wd = weekday(date)
      if (wd !== 0 && wd !== 6) days.push(date)
    }
    days.reverse()
    const scheduleDays = days.slice(-5)
    const schedules: Doc[] = []
    groups.forEach((g, gi) => {
      const cs = coursesOf.get(programOf.get(String(g.name)) ?? '') ?? []
      const instructor = instructors[gi % instructors.length]!
      // An instructor teaches groups gi and gi + instructors.length (at most two, as there are at least
      // half as many instructors as groups): the second group's lessons take the 90-minute slots between
      // the first one's, so no instructor is booked twice at once (the Education app's overlap check).
      const shift = Math.floor(gi / instructors.length)
      scheduleDays.forEach((date) => {
        cs.forEach((course, ci) => {
          const start = 8 * 60 + (2 * ci + shift) * 90
          const end = start + 90
          schedules.push(
            this.doc('Course Schedule', {
              naming_series: 'EDU-CSH-.YYYY.-',
              student_group: g.name,
              instructor: instructor.name,
              instructor_name: instructor.instructor_name,
              course,
              program: g.program,
              room: rooms[gi % rooms.length]!.name,
              schedule_date: date,
              from_time: clock(start),
              to_time: clock(end),
              class_schedule_color: COLOURS[ci % COLOURS.length],
              color: ['#EDF6FD', '#E4F5E9', '#FFF0F0'][ci % 3],
              title: `${course} by ${instructor.instructor_name}`,
            }),
          )
        })
      })
    })
    e.load('Course Schedule', schedules)

    // Lazily generated tables.
    const attendanceDays = days.slice(-ATTENDANCE_DAYS[this.name] || -40)
    e.setLazy('Student Attendance', () => {
      const ra = this.rand('attendance')
      const rows: Doc[] = []
      for (const g of groups) {
        for (const date of attendanceDays) {
          for (const m of (g.students as Doc[]) ?? []) {
            const x = ra()
            rows.push(
              this.doc('Student Attendance', {
                naming_series: 'EDU-ATT-.YYYY.-',
                student: m.student,
                student_name: m.student_name,
                student_group: g.name,
                link_nvfk: g.program,
                date,
                status: x < 0.9 ? 'Present' : x < 0.97 ? 'Absent' : 'Leave',
                docstatus: 1,
              }),
            )
          }
        }
      }
      e.load('Student Attendance', rows)
    })
    e.setLazy('Course Enrollment', () => {
      const rows: Doc[] = []
      for (const pe of enrollments) {
        for (const c of (pe.courses as Doc[]) ?? []) {
          rows.push(
            this.doc('Course Enrollment', {
              program_enrollment: pe.name,
              program: pe.program,
              student: pe.student,
              student_name: pe.student_name,
              course: c.course,
              enrollment_date: pe.enrollment_date,
            }),
          )
        }
      }
      e.load('Course Enrollment', rows)
    })
    const plans: Doc[] = []
    const examDate = scheduleDays[0] ?? today
    groups.forEach((g, gi) => {
      const cs = coursesOf.get(programOf.get(String(g.name)) ?? '') ?? []
      cs.forEach((course, ci) => {
        plans.push(
          this.doc('Assessment Plan', {
            student_group: g.name,
            assessment_name: `${course} midterm`,
            assessment_group: 'Term Exams',
            grading_scale: 'Standard Grading',
            course,
            program: g.program,
            academic_year: ayName,
            academic_term: currentTerm,
            schedule_date: examDate,
            room: rooms[gi % rooms.length]!.name,
            examiner: instructors[gi % instructors.length]!.name,
            examiner_name: instructors[gi % instructors.length]!.instructor_name,
            // After the day's lessons (which end by 17:00), one two-hour slot per course: no clash with a
            // Course Schedule or another plan of the group (the Education app's overlap check).
            from_time: clock(17 * 60 + 120 * ci),
            to_time: clock(19 * 60 + 120 * ci),
            maximum_assessment_score: 100,
            docstatus: 1,
            assessment_criteria: [
              { assessment_criteria: 'Written Exam', maximum_score: 60 },
              { assessment_criteria: 'Coursework', maximum_score: 40 },
            ],
          }),
        )
      })
    })
    e.load('Assessment Plan', plans)
    const gradeOf = (pct: number) =>
      pct >= 85 ? 'A' : pct >= 70 ? 'B' : pct >= 55 ? 'C' : pct >= 40 ? 'D' : 'F'
    e.setLazy('Assessment Result', () => {
      const rr = this.rand('results')
      const rows: Doc[] = []
      for (const plan of plans) {
        const group = groups.find((g) => g.name === plan.student_group)
        for (const m of (group?.students as Doc[]) ?? []) {
          const written = Math.round(rr() * 60 * 2) / 2
          const course = Math.round((10 + rr() * 30) * 2) / 2
          const total = written + course
          rows.push(
            this.doc('Assessment Result', {
              assessment_plan: plan.name,
              program: plan.program,
              course: plan.course,
              academic_year: plan.academic_year,
              academic_term: plan.academic_term,
              student: m.student,
              student_name: m.student_name,
              student_group: plan.student_group,
              assessment_group: plan.assessment_group,
              grading_scale: plan.grading_scale,
              maximum_score: 100,
              total_score: total,
              grade: gradeOf(total),
              docstatus: 1,
              details: [
                {
                  assessment_criteria: 'Written Exam',
                  maximum_score: 60,
                  score: written,
                  grade: gradeOf((written / 60) * 100),
                },
                {
                  assessment_criteria: 'Coursework',
                  maximum_score: 40,
                  score: course,
                  grade: gradeOf((course / 40) * 100),
                },
              ],
            }),
          )
        }
      }
      e.load('Assessment Result', rows)
    })
  }
}
