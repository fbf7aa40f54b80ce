"""Instructions, answer-key checklists, QR help and digibord mode. (Being built: see the
instructions issue.)"""
