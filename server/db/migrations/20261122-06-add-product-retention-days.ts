export const sql = `
    -- Days a product's telemetry is kept; NULL keeps it forever (also what every existing product gets).
    ALTER TABLE products ADD COLUMN retention_days INTEGER CHECK (retention_days BETWEEN 1 AND 36500);
  `;
