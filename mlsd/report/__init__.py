"""``mlsd report DIR``: an offline HTML report of a run folder or a sweep folder.

``load`` reads the folder into a table of runs, ``plot`` draws results against a parameter,
``notebooks`` renders the executed notebooks to HTML without network, ``html`` writes the page and
``command`` puts them together behind the command line.
"""
