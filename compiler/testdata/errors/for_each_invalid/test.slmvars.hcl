# plan mode: the keys are known
