"""MiniCPM-V 2.6 (SF²T's Table 4): its modelling and processing code ships in the model folder,
so it runs only for models listed in models.trust_remote_code, and only code from the folder
(models/registry.py checks config.json's auto_map). LLaMA-Factory 0.9.5 trains it with the
minicpm_v template and plugin. No tiny twin: the code is the model's own and cannot be fetched
offline, so this family is declared, not tested end to end here."""
MODEL_TYPES = ("minicpmv",)
TEMPLATE = "minicpm_v"
MEDIA_FORMS = ("frames",)  # its video path slices frames its own way; frames are what SF²T trains
VIDEO_FRAME_MULTIPLE = 1
TRUST_REMOTE_CODE = True
