"""Evaluation on plain transformers + peft (LLaMA-Factory's predict path mis-positions
Qwen2-VL's M-RoPE tokens with transformers 5.6)."""
