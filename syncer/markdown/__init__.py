"""Reading phase documents from markdown-it-py tokens, and editing them byte for byte."""
