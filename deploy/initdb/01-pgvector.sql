-- Recruiter memory (HIRECREW_MEMORY__VECTOR_STORE=pgvector) keeps its vectors in this database.
CREATE EXTENSION IF NOT EXISTS vector;
