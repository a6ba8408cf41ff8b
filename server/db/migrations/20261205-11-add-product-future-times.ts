export const sql = `
    -- What becomes of a device time further ahead of the server clock than --max-clock-skew: 'refuse' (400) or
    -- 'clamp' (to the receive time). Every existing product refuses, as new ones do by default.
    ALTER TABLE products ADD COLUMN future_times TEXT NOT NULL DEFAULT 'refuse' CHECK (future_times IN ('refuse', 'clamp'));
  `;
