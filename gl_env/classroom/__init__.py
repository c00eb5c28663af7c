"""A classroom in the browser: students play the cadre from their phones, the class's results go up on
the projector, the teacher changes a rule, they play again, and a debrief shows the computed best
response for the institution.

``python -m gl_env.classroom`` starts the server (see :mod:`gl_env.classroom.__main__`);
:func:`gl_env.classroom.app.create_app` builds the web application on a SQLite database. Needs the
``classroom`` extra: ``pip install 'gl_env[classroom]'``.
"""
