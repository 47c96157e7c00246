"""One module per wizard step; each step is a ``StepScreen[XAnswers]`` whose ``collect()`` returns its typed
answers. base.py is the step base (and says how to add a step); engine.py the base of preview and apply."""
