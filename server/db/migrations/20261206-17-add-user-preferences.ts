/** Each user's language, time zone and theme, as JSON (`null` until they choose: the browser's then apply). */
export const sql = 'ALTER TABLE users ADD COLUMN preferences TEXT';
