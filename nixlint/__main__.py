from nixlint.cli import main

main()
