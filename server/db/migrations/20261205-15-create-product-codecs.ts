export const sql = `
    -- A product's codec is versioned like its thing model: one editable draft and numbered published versions that
    -- never change, so what a listener ran for a device's frame can always be looked up again.
    CREATE TABLE product_codec_drafts (
      product_key TEXT PRIMARY KEY REFERENCES products(product_key) ON DELETE CASCADE,
      source TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL
    );
    CREATE TABLE product_codec_versions (
      product_key TEXT NOT NULL REFERENCES products(product_key) ON DELETE CASCADE,
      version INTEGER NOT NULL CHECK (version >= 1),
      source TEXT NOT NULL,
      published_at TEXT NOT NULL,
      published_by TEXT NOT NULL,
      PRIMARY KEY (product_key, version)
    ) WITHOUT ROWID;
    CREATE TRIGGER product_codec_versions_are_immutable BEFORE UPDATE ON product_codec_versions
    BEGIN
      SELECT RAISE(ABORT, 'published codec versions cannot be changed');
    END;
  `;
