from nixlint.quick import main

main()
