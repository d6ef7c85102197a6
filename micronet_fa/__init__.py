__version__ = "0.0.1"

# fastai's layers module runs `torch.jit.script` when it is imported, which torch 2.14 reports as deprecated on
# every import of fastai. The warning is about fastai's code, not the user's, and says nothing they can act on,
# so it is silenced here, and only it (by its message). Nothing else is filtered.
import warnings as _warnings
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
