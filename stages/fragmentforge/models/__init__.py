"""Base models: the registry of Hugging Face folders and the embedded tiny Qwen2-VL."""
