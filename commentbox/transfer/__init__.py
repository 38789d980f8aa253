"""Imports and exports: other systems' files in, our own backups out.

``model`` is the neutral shape every format module produces; ``loader`` writes it through
the store; ``report`` says what happened; one module per format reads its files;
``commands`` adds ``import``/``export`` to the command line.

Out of commentbox: ``backup`` (``export json``) and ``wxr_export`` (``export wxr``, for
WordPress); ``moving`` runs ``backup`` and ``copy``, which move the whole instance.
"""
