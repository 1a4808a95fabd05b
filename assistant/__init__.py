"""The assistant: retrieval, grounded answers with citations, the CLI and the Gradio app."""
