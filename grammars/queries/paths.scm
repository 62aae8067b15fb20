; Literal paths (./x.nix, ../dir, /abs): the references nixlint follows to find root modules.
(path_expression) @path
