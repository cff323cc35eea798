from bakohumas.cli import main

main()
