import type { FieldClassification } from '../src/index.js'
import { createMemoryKeyring } from '../src/index.js'

/** A small classification for Student, Guardian and Student Guardian, field names as ERPNext defines them. */
export const classification: FieldClassification = {
  Student: {
    first_name: 'direct_pii',
    middle_name: 'direct_pii',
    last_name: 'direct_pii',
    student_name: 'direct_pii',
    student_email_id: 'direct_pii',
    student_mobile_number: 'direct_pii',
    user: 'direct_pii',
    image: 'direct_pii',
    date_of_birth: 'direct_pii',
    address_line_1: 'direct_pii',
    address_line_2: 'direct_pii',
    pincode: 'direct_pii',
    city: 'directory',
    state: 'directory',
    country: 'directory',
    joining_date: 'directory',
    date_of_leaving: 'directory',
    enabled: 'directory',
    gender: 'education_record',
    blood_group: 'education_record',
    nationality: 'education_record',
    reason_for_leaving: 'education_record',
    naming_series: 'none',
  },
  Guardian: {
    guardian_name: 'direct_pii',
    email_address: 'direct_pii',
    mobile_number: 'direct_pii',
    alternate_number: 'direct_pii',
    date_of_birth: 'direct_pii',
    user: 'direct_pii',
    image: 'direct_pii',
    work_address: 'direct_pii',
    education: 'education_record',
    occupation: 'education_record',
    designation: 'education_record',
  },
  'Student Guardian': {
    guardian: 'none',
    guardian_name: 'direct_pii',
    relation: 'education_record',
  },
}

/** Direct-PII fields of Student in the fixture. */
export const studentPiiFields = Object.entries(classification['Student']!)
  .filter(([, c]) => c === 'direct_pii')
  .map(([f]) => f)

/** A valid Student document. */
export const student = () => ({
  name: 'EDU-STU-2026-00001',
  naming_series: 'EDU-STU-.YYYY.-',
  enabled: 1,
  first_name: 'Ada',
  middle_name: 'Grace',
  last_name: 'Lovelace',
  student_name: 'Ada Grace Lovelace',
  student_email_id: 'ada.lovelace@school.edu',
  student_mobile_number: '+44 7700 900123',
  user: 'ada.lovelace@school.edu',
  image: '/files/ada.jpg',
  date_of_birth: '2011-04-09',
  address_line_1: '12 Analytical Row',
  address_line_2: 'Flat 3',
  pincode: 'SW1A 1AA',
  city: 'London',
  state: 'Greater London',
  country: 'United Kingdom',
  joining_date: '2024-09-02',
  gender: 'Female',
  blood_group: 'O+',
  nationality: 'British',
  modified: '2026-01-10 09:00:00.000000',
})

/** A valid Guardian document. */
export const guardian = () => ({
  name: 'EDU-GRD-2026-00001',
  guardian_name: 'Anne Isabella Milbanke',
  email_address: 'anne@example.org',
  mobile_number: '+44 7700 900456',
  occupation: 'Mathematician',
})

/** 32 deterministic bytes (fill) for test keys. */
export const key = (fill: number) => new Uint8Array(32).fill(fill)

/** A keyring with v1 only. */
export const keyringV1 = () => createMemoryKeyring({ keys: { v1: key(1) } })
/** A keyring with v1 and v2, v2 primary. */
export const keyringV2 = () => createMemoryKeyring({ keys: { v1: key(1), v2: key(2) }, primaryKeyId: 'v2' })
/** A keyring with only v2. */
export const keyringOnlyV2 = () => createMemoryKeyring({ keys: { v2: key(2) } })

/** A fixed clock. */
export const fixedClock = (iso = '2026-03-01T12:00:00.000Z') => {
  let t = new Date(iso).getTime()
  return {
    now: () => new Date(t),
    advanceDays: (d: number) => {
      t += d * 86_400_000
    },
  }
}
